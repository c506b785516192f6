"""Per-row findings (FLAG_COLUMNS frames) as the flagging stages build, grade, gather and count them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.findings import FLAG_COLUMNS, SEVERITIES, AnalysisResult, empty_flags
from fintrace_pipeline.rules import RULES

# What a stage that flags rows reads from every file: the row numbers it flags, dates and amounts.
FLAGGING_COLUMNS = ("row_number", "posting_date", "amount")


def unflaggable_result(
    analytics_type: str, parameters: dict[str, Any], transactions: pd.DataFrame
) -> AnalysisResult | None:
    """A SKIPPED result when the file lacks one of the FLAGGING_COLUMNS, else None."""
    return AnalysisResult.skipped_for_missing_columns(
        analytics_type, parameters, transactions.columns, FLAGGING_COLUMNS
    )


def build_flags(
    row_numbers: np.ndarray | Sequence[int],
    rule_code: str,
    reasons: Sequence[str],
    details: Sequence[dict[str, Any]],
    severity: np.ndarray | Sequence[str] | str | None = None,
    group_id: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """One flag row per row number, in the FLAG_COLUMNS layout (object columns, like ``empty_flags``).
    Without ``severity`` every flag gets the rule's catalogue severity."""
    rows = np.asarray(row_numbers, dtype="int64")
    n = len(rows)
    if n == 0:
        return empty_flags()
    if severity is None:
        severity = RULES[rule_code].severity
    if isinstance(severity, str):
        severity_values = np.full(n, severity, dtype=object)
    else:
        severity_values = np.asarray(severity, dtype=object)
    groups = np.full(n, None, dtype=object) if group_id is None else np.asarray(group_id, dtype=object)
    details_values = np.empty(n, dtype=object)
    details_values[:] = list(details)
    return pd.DataFrame(
        {
            "row_number": rows,
            "rule_code": np.full(n, rule_code, dtype=object),
            "severity": severity_values,
            "reason": np.asarray(reasons, dtype=object),
            "details": details_values,
            "group_id": groups,
        },
        columns=list(FLAG_COLUMNS),
    )


def graded_severity(rule_code: str, stronger: np.ndarray) -> np.ndarray:
    """The rule's catalogue severity, one level higher where ``stronger``."""
    rule = RULES[rule_code]
    return np.where(stronger, rule.severity_step(1), rule.severity)


def demote_below_materiality(
    flags: pd.DataFrame, transactions: pd.DataFrame, materiality: float, amounts: np.ndarray | None = None
) -> pd.DataFrame:
    """``flags`` with every finding about an amount below ``materiality`` one severity level lower (low
    stays low); a demoted finding's details say so. 0 = no materiality set. ``amounts``: per flag, the
    amount its finding is about (a duplicate's: its document's); by default its line's |amount|."""
    if materiality <= 0 or flags.empty:
        return flags
    if amounts is None:
        lines = pd.Series(np.abs(transactions["amount"].to_numpy(dtype="float64")), index=transactions["row_number"])
        amounts = lines.reindex(flags["row_number"].to_numpy()).to_numpy()
    below = (np.abs(np.asarray(amounts, dtype="float64")) < materiality) & (flags["severity"] != "low").to_numpy()
    if not below.any():
        return flags
    demoted = flags.copy()
    levels = {name: SEVERITIES[max(i - 1, 0)] for i, name in enumerate(SEVERITIES)}
    before = demoted.loc[below, "severity"]
    demoted.loc[below, "severity"] = before.map(levels).astype(object)
    demoted.loc[below, "details"] = [
        {**(details or {}), "severity_before_materiality": severity, "below_materiality": materiality}
        for details, severity in zip(demoted.loc[below, "details"], before, strict=True)
    ]
    return demoted


def gather_flags(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """All flags of a stage in one frame, ordered by row and rule code."""
    non_empty = [f for f in frames if len(f)]
    if not non_empty:
        return empty_flags()
    flags = pd.concat(non_empty, ignore_index=True)
    for column in FLAG_COLUMNS[1:]:
        flags[column] = flags[column].astype(object)
    return flags.sort_values(["row_number", "rule_code"], kind="stable", ignore_index=True)


def flagged_summary(transactions: pd.DataFrame, flags: pd.DataFrame, high_risk: int) -> dict[str, Any]:
    """The summary columns a flagging stage fills: totals, flagged and high-risk rows, distinct users
    and accounts (where the file has them)."""
    amounts = transactions["amount"].to_numpy(dtype="float64")
    summary: dict[str, Any] = {
        "total_transactions": int(len(transactions)),
        "total_amount": round(float(np.nansum(np.where(amounts > 0, amounts, 0.0))), 2),
        "flagged_transactions": int(flags["row_number"].nunique()),
        "high_risk_transactions": high_risk,
    }
    for column, key in (("user", "unique_users"), ("account", "unique_accounts")):
        if column in transactions.columns:
            summary[key] = int(text_values(transactions[column]).nunique())
    return summary
