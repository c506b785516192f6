"""The four analytics stages as per-file assets: load the file's transactions, run the pure analysis,
store it through ``AnalyticsDBSaver``."""

import time
from collections.abc import Callable

import pandas as pd
from dagster import AssetExecutionContext, AssetsDefinition, asset

from fintrace_pipeline.analytics.duplicates import run_duplicate_analysis
from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline.analytics.summaries import run_comprehensive_expense, run_default_analytics
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.orchestration.assets.ingest import ingest
from fintrace_pipeline.orchestration.checks import BENFORD, TRIAL_BALANCE, benford_check, trial_balance_check
from fintrace_pipeline.orchestration.loading import load_file_transactions
from fintrace_pipeline.orchestration.metadata import analysis_metadata
from fintrace_pipeline.orchestration.partitions import data_file_partitions
from fintrace_pipeline.orchestration.resources import ResultsDatabase
from fintrace_pipeline.orchestration.step import StepContext, StepOutput, run_step
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver

Analysis = Callable[[pd.DataFrame], AnalysisResult]
# Dagster's executors start ready steps with a higher value of this op tag first.
PRIORITY_TAG = "dagster/priority"


def analytics_step(analyse: Analysis, save: Callable[[AnalyticsDBSaver, AnalysisResult], object], checks=()):
    def body(step: StepContext) -> StepOutput:
        transactions = load_file_transactions(step)
        started = time.perf_counter()
        result = analyse(transactions)
        result.processing_duration = round(time.perf_counter() - started, 3)
        save(AnalyticsDBSaver(step.job, step.engine), result)
        details = {k: v for k, v in result.summary.items() if v is not None}
        if result.skipped:
            details["skipped_checks"] = result.skipped
        if result.error_message:
            details["note"] = result.error_message
        return StepOutput(result.status, details, analysis_metadata(result), [check(result) for check in checks])

    return body


def analytics_asset(
    name: str, analyse: Analysis, save, description: str, checks=(), feeds_ml: bool = False
) -> AssetsDefinition:
    """``checks``: (AssetCheckSpec, function of the AnalysisResult giving its AssetCheckResult) pairs.
    ``feeds_ml``: the ML step waits for this stage's findings, so it starts first when cores are few."""
    body = analytics_step(analyse, save, [check for _, check in checks])

    @asset(
        name=name,
        deps=[ingest],
        partitions_def=data_file_partitions,
        group_name="fintrace",
        check_specs=[spec for spec, _ in checks],
        description=description,
        op_tags={PRIORITY_TAG: "1"} if feeds_ml else None,
    )
    def _asset(context: AssetExecutionContext, results_db: ResultsDatabase):
        return run_step(context, results_db.get_engine(), name, body)

    return _asset


default_analytics = analytics_asset(
    "default_analytics",
    run_default_analytics,
    AnalyticsDBSaver.save_default_analytics,
    "Totals, trial balance with balance check, user, account and temporal patterns.",
    checks=[(TRIAL_BALANCE, trial_balance_check)],
)
comprehensive_expense = analytics_asset(
    "comprehensive_expense",
    run_comprehensive_expense,
    AnalyticsDBSaver.save_comprehensive_analytics,
    "Expense breakdown by category, vendor, month, cost center and user; vendor concentration.",
)
duplicate_analysis = analytics_asset(
    "duplicate_analysis",
    run_duplicate_analysis,
    AnalyticsDBSaver.save_duplicate_analysis,
    "Duplicate-payment tests, each with its own rule code and grouped findings.",
    feeds_ml=True,
)
anomaly_detection = analytics_asset(
    "anomaly_detection",
    run_anomaly_detection,
    AnalyticsDBSaver.save_anomaly_detection_results,
    "Rule and statistical anomaly tests (Benford, timing, amounts, entities, journals) with a rule score.",
    checks=[(BENFORD, benford_check)],
    feeds_ml=True,
)
