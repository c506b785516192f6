"""What an analysis hands back: one result object per stage or model, plus per-row findings.

These are plain data, free of Dagster and SQL. ``AnalyticsDBSaver`` turns them into rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fintrace_pipeline.status import COMPLETED, SKIPPED  # noqa: F401 - re-exported for the stages

SEVERITIES = ("low", "medium", "high")
SEVERITY_WEIGHT = {"low": 1.0, "medium": 2.0, "high": 3.0}

# One row per (transaction, rule) hit. ``details`` holds the numbers behind the reason (a dict of
# JSON-safe values); ``group_id`` ties together the members of a duplicate group, else None.
FLAG_COLUMNS = ("row_number", "rule_code", "severity", "reason", "details", "group_id")


def details_of(value: Any) -> dict[str, Any]:
    """A finding's details as a dict, whether computed now or loaded from the database as JSON text."""
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


# The JSON sections of ``analytics_processing_results`` (seed column names).
SECTIONS = (
    "trial_balance_data",
    "expense_breakdown",
    "user_patterns",
    "account_patterns",
    "temporal_patterns",
    "risk_assessment",
    "chart_data",
    "export_data",
)

# The scalar summary columns of ``analytics_processing_results``.
SUMMARY_FIELDS = (
    "total_transactions",
    "total_amount",
    "unique_users",
    "unique_accounts",
    "flagged_transactions",
    "high_risk_transactions",
    "anomalies_found",
    "duplicates_found",
)


def empty_flags() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row_number" else "object") for c in FLAG_COLUMNS})


@dataclass
class AnalysisResult:
    """The outcome of one analytics stage on one file.

    ``summary`` fills the scalar columns (keys from SUMMARY_FIELDS; missing ones stay NULL),
    ``sections`` the JSON columns (keys from SECTIONS; each bounded in size: summaries and top-N
    lists, never the whole file). ``parameters`` records every threshold used, ``skipped`` every
    check that could not run with its reason (e.g. a missing input column).
    """

    analytics_type: str
    status: str = COMPLETED
    summary: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    flags: pd.DataFrame = field(default_factory=empty_flags)
    parameters: dict[str, Any] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    error_message: str | None = None
    processing_duration: float | None = None  # seconds; set by the step that ran the analysis

    @classmethod
    def skipped_for_missing_columns(
        cls, analytics_type: str, parameters: dict[str, Any], columns: Any, required: Sequence[str]
    ) -> AnalysisResult | None:
        """A SKIPPED result naming the required columns absent from ``columns``; None when all are there."""
        missing = [c for c in required if c not in columns]
        if not missing:
            return None
        return cls(
            analytics_type,
            status=SKIPPED,
            parameters=parameters,
            error_message=f"missing required column(s): {', '.join(missing)}",
        )


@dataclass
class ModelResult:
    """The outcome of one model (``model_type``) on one file, in the seed's column terms."""

    model_type: str
    status: str = COMPLETED
    anomalies_detected: int | None = None
    duplicates_found: int | None = None
    risk_score: float | None = None
    confidence_score: float | None = None
    detailed_results: dict[str, Any] = field(default_factory=dict)
    model_metrics: dict[str, Any] = field(default_factory=dict)
    feature_importance: dict[str, float] = field(default_factory=dict)
    data_size: int | None = None
    model_version: str | None = None
    error_message: str | None = None
    processing_duration: float | None = None  # seconds


# Per-transaction risk scores written by the ML stage; one row per loaded transaction.
SCORE_COLUMNS = (
    "row_number",
    "transaction_id",
    "risk_score",  # ensemble, 0-100
    "isolation_forest_score",  # each model's score normalised to 0-1 (rank based)
    "random_forest_score",
    "dbscan_score",
    "rule_score",
    "reasons",  # semicolon-separated reason codes, strongest first
    "reason_text",  # the same reasons in words
)

# Between the codes of a ``reasons`` or ``rule_codes`` list, and between the phrases of a reason text.
LIST_SEPARATOR = "; "

# Per-journal-entry risk scores written by the ML stage where the file has ``je_number``.
ENTRY_SCORE_COLUMNS = (
    "je_number",
    "line_count",
    "first_row_number",
    "posting_date",  # the earliest posting date among its lines
    "debit_total",
    "credit_total",
    "risk_score",  # 0-100, the entry's percentile among the file's entries
    "rule_codes",  # semicolon-separated codes of the findings it takes part in, strongest first
    "reasons",  # semicolon-separated reason codes, strongest first
    "reason_text",  # the entry's size and the same reasons in words
)
