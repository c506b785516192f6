"""The registry of per-file processing stages: everything the rest of the code derives from a stage.

Each stage is one Dagster asset, one share of the tracker's progress and, for analytics stages, one
``analytics_type`` of stored results computed by a pure function of the file's transactions. The
assets, the tracker, ``AnalyticsDBSaver`` and the API's type lists and OpenAPI enums all read this
table, so adding a stage means one entry here and one analysis function.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from fintrace_pipeline.findings import AnalysisResult


@dataclass(frozen=True)
class Stage:
    name: str  # the Dagster asset name
    label: str  # what a person reads in progress and errors
    start: float  # overall progress when the stage starts ...
    end: float  # ... and when it is done
    group: str  # which of the tracker's status/progress column pairs it feeds
    description: str
    analytics_type: str | None = None  # its rows in analytics_processing_results
    # "module:function" of the pure analysis (transactions -> AnalysisResult). Named, not imported,
    # so the API and the tracker can read the registry without importing the analysis code.
    analysis: str | None = None
    options: str | None = None  # "module:Class" of its frozen options dataclass (its thresholds)
    # "module:function" (StepContext -> keyword arguments) reading what the analysis needs beyond the
    # file's transactions, such as its source's reference lists.
    inputs: str | None = None
    feeds_ml: bool = False  # the ML stage reads its findings, so it is started first
    checks: tuple[str, ...] = ()  # names of its asset checks (``defs.checks.CHECKS``)
    kinds: tuple[str, ...] = ("pandas",)  # what the Dagster UI shows it is computed with
    # Bumped when a change to the stage changes what it stores, so the UI marks earlier files stale.
    code_version: str = "1"
    # "module:function" of a step body of its own (StepContext -> StepOutput), for a stage that reads
    # more than the file's transactions; None: load the transactions, analyse, save.
    step: str | None = None

    @property
    def weight(self) -> float:
        return self.end - self.start

    def analyse(self) -> Callable[[pd.DataFrame, Any], AnalysisResult]:
        """The analysis: (transactions, options) -> AnalysisResult."""
        return _load(self.analysis)

    def options_type(self) -> type:
        return _load(self.options)

    def step_body(self) -> Callable | None:
        """The stage's own step body, when it has one."""
        return _load(self.step) if self.step else None

    def read_inputs(self) -> Callable[[Any], dict[str, Any]] | None:
        """The reader of the analysis's further inputs, if it has any."""
        return _load(self.inputs) if self.inputs else None


def _load(name: str) -> Any:
    module, attribute = name.split(":")
    return getattr(importlib.import_module(module), attribute)


STAGES = (
    Stage(
        "ingest",
        "File processing",
        0,
        20,
        "file_processing",
        "Reads the uploaded file, maps its columns and stores every row as a transaction or a rejected row "
        "with its reason (rows read = loaded + rejected).",
        checks=("rejected_rows_share",),
    ),
    Stage(
        "default_analytics",
        "Default analytics",
        20,
        40,
        "analytics",
        "Totals, trial balance with balance check, user, account and temporal patterns.",
        analytics_type="default_analytics",
        analysis="fintrace_pipeline.analytics.summaries:run_default_analytics",
        options="fintrace_pipeline.analytics.summaries:DefaultAnalyticsOptions",
        checks=("trial_balance_balanced",),
    ),
    Stage(
        "comprehensive_expense",
        "Comprehensive expense analytics",
        40,
        60,
        "analytics",
        "Expense breakdown by category, vendor, month, cost center and user; vendor concentration.",
        analytics_type="comprehensive_expense",
        analysis="fintrace_pipeline.analytics.summaries:run_comprehensive_expense",
        options="fintrace_pipeline.analytics.summaries:ExpenseOptions",
    ),
    Stage(
        "duplicate_analysis",
        "Duplicate analysis",
        60,
        80,
        "analytics",
        "Duplicate-payment tests, each with its own rule code and grouped findings.",
        analytics_type="duplicate_analysis",
        analysis="fintrace_pipeline.analytics.duplicates:run_duplicate_analysis",
        options="fintrace_pipeline.analytics.duplicates:DuplicateAnalysisOptions",
        feeds_ml=True,
        # 2: vendor names fold accents inside words and drop more legal forms (SE, UG, s.r.o., Kft., ...).
        code_version="2",
    ),
    Stage(
        "anomaly_detection",
        "Anomaly detection",
        80,
        84,
        "anomaly",
        "Rule and statistical anomaly tests (Benford, timing, amounts, entities, journals) with a rule score.",
        analytics_type="anomaly_detection",
        analysis="fintrace_pipeline.analytics.rules:run_anomaly_detection",
        options="fintrace_pipeline.analytics.rules:AnomalyDetectionOptions",
        feeds_ml=True,
        checks=("benford_first_digit_conformity",),
    ),
    Stage(
        "history_comparison",
        "Comparison with earlier files",
        84,
        87,
        "anomaly",
        "The file against its source's earlier files: new and reactivated vendors, first postings, new "
        "user–account and vendor–account pairs, spend against its own history (median and MAD), documents "
        "already booked in an earlier file, and the months beside the earlier months.",
        analytics_type="period_comparison",
        analysis="fintrace_pipeline.analytics.history:run_history_comparison",
        options="fintrace_pipeline.analytics.history:HistoryOptions",
        feeds_ml=True,
        step="fintrace_pipeline.defs.assets.history:history_step",
    ),
    Stage(
        "reference_checks",
        "Reference checks",
        87,
        90,
        "anomaly",
        "The file's vendors against its source's vendor master and employee list: vendors not in the master, "
        "vendors sharing an employee's bank account, address or tax id, new vendors paid large sums.",
        analytics_type="reference_checks",
        analysis="fintrace_pipeline.analytics.references:run_reference_checks",
        options="fintrace_pipeline.analytics.references:ReferenceCheckOptions",
        inputs="fintrace_pipeline.defs.reference_inputs:reference_inputs",
        feeds_ml=True,
    ),
    Stage(
        "ml_ensemble",
        "ML processing",
        90,
        100,
        "ml",
        "Isolation forest, random forest, DBSCAN and their ensemble: a 0-100 risk score with reasons for "
        "every transaction, and for every journal entry where the file has entry numbers.",
        kinds=("pandas", "scikitlearn"),
        code_version="2",
    ),
)
STAGE_BY_NAME = {s.name: s for s in STAGES}
OWNERS = ("team:fintrace",)
ANALYSIS_STAGES = tuple(s for s in STAGES if s.analytics_type)
ANALYTICS_TYPES = tuple(s.analytics_type for s in ANALYSIS_STAGES)
# The rows the ML stage stores in ml_model_processing_results: its models, their ensemble, and a
# summary of each rule stage it reads.
MODEL_TYPES = ("isolation_forest", "random_forest", "dbscan", "ensemble", "duplicate_detection", "anomaly_detection")
# group -> (status column, progress column) of processing_job_trackers
GROUP_COLUMNS = {
    "file_processing": ("file_processing_status", "file_processing_progress"),
    "analytics": ("analytics_status", "analytics_progress"),
    "anomaly": ("anomaly_detection_status", "anomaly_progress"),
    "ml": ("ml_processing_status", "ml_progress"),
}
