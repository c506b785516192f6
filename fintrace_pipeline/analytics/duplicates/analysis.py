"""The duplicate_analysis stage: the standard duplicate-payment tests over the canonical frame.

``dup_candidates`` picks the comparable lines (and drops reversal pairs), ``dup_checks`` holds one
function per rule code, ``dup_groups`` the sort-based grouping they share. This module decides which
tests can run on the columns the file has, turns their groups into flags and assembles the bounded
sections stored with the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.duplicates import checks as dup_checks
from fintrace_pipeline.analytics.duplicates.candidates import Candidates, select_candidates
from fintrace_pipeline.analytics.duplicates.checks import CheckOutcome
from fintrace_pipeline.analytics.rules.common import build_flags, concat_flags, iso_days, text_values
from fintrace_pipeline.findings import COMPLETED, AnalysisResult
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.rules import RULES, rules_for

ANALYTICS_TYPE = "duplicate_analysis"
REQUIRED_COLUMNS = ("row_number", "posting_date", "amount")
VENDOR_CODES = (
    "DUP_EXACT",
    "DUP_INVOICE_AMOUNT_DIFF",
    "DUP_VENDOR_AMOUNT_NEAR_DATE",
    "DUP_INVOICE_NORMALIZED",
    "DUP_VENDOR_NAME_VARIANT",
)
INVOICE_CODES = ("DUP_EXACT", "DUP_INVOICE_AMOUNT_DIFF", "DUP_INVOICE_NORMALIZED", "DUP_VENDOR_NAME_VARIANT")
DEFAULT_REVERSAL_PATTERN = r"\brevers(?:al|ed|e|ing)\b|\bvoid(?:ed)?\b|\bstorno\b|\bcredit[\s-]*note\b"


@dataclass(frozen=True)
class DuplicateAnalysisOptions:
    near_date_days: int = 7  # DUP_VENDOR_AMOUNT_NEAR_DATE: max days between consecutive lines
    same_date_min_amount: float = 1_000.0  # DUP_SAME_AMOUNT_DATE_DIFF_VENDOR ignores smaller amounts
    drop_invoice_alpha_prefix: bool = False  # "INV42" == "42" when True
    name_max_edit_distance: int = 2
    name_min_length: int = 8  # normalised names shorter than this only match when equal
    name_compare_window: int = 10  # each name is compared with this many sorted neighbours in its block
    reversal_pattern: str | None = DEFAULT_REVERSAL_PATTERN  # descriptions marking a reversal; None: off
    top_n_groups: int = 20  # groups listed per test in risk_assessment
    max_members_listed: int = 8  # members listed per group


def run_duplicate_analysis(
    transactions: pd.DataFrame, options: DuplicateAnalysisOptions | None = None
) -> AnalysisResult:
    options = options or DuplicateAnalysisOptions()
    parameters = json_safe(asdict(options))
    skipped_result = AnalysisResult.skipped_for_missing_columns(
        ANALYTICS_TYPE, parameters, transactions.columns, REQUIRED_COLUMNS
    )
    if skipped_result is not None:
        return skipped_result
    skipped: list[dict[str, str]] = []
    use_vendor = _usable(transactions, "vendor", VENDOR_CODES, skipped)
    use_invoice = _usable(transactions, "invoice_number", INVOICE_CODES, skipped, already=skipped)
    candidates = select_candidates(
        transactions, use_vendor, use_invoice, options.drop_invoice_alpha_prefix, options.reversal_pattern
    )
    outcomes = _run_tests(candidates, options, use_vendor, use_invoice)
    flags = concat_flags([_flags(candidates, outcome) for outcome in outcomes])
    if len(flags):
        flags = flags.sort_values(["row_number", "rule_code"], kind="stable", ignore_index=True)
    return AnalysisResult(
        ANALYTICS_TYPE,
        status=COMPLETED,
        summary=_summary(transactions, flags),
        sections=json_safe(_sections(transactions, candidates, outcomes, flags, options, parameters, skipped)),
        flags=flags,
        parameters=parameters,
        skipped=skipped,
    )


def _usable(
    transactions: pd.DataFrame,
    column: str,
    codes: tuple[str, ...],
    skipped: list[dict[str, str]],
    already: list[dict[str, str]] | None = None,
) -> bool:
    """Whether ``column`` has values; if not, list ``codes`` as skipped (once per code)."""
    if column not in transactions.columns:
        reason = f"no {column} column"
    elif len(transactions) and text_values(transactions[column]).isna().all():
        reason = f"{column} column is empty"
    else:
        return True
    listed = {entry["check"] for entry in (already or [])}
    skipped.extend({"check": code, "reason": reason} for code in codes if code not in listed)
    return False


def _run_tests(
    candidates: Candidates, options: DuplicateAnalysisOptions, use_vendor: bool, use_invoice: bool
) -> list[CheckOutcome]:
    outcomes = []
    if use_vendor and use_invoice:
        outcomes.append(dup_checks.exact(candidates))
        outcomes.append(dup_checks.invoice_amount_diff(candidates))
    if use_vendor:
        outcomes.append(dup_checks.vendor_amount_near_date(candidates, options.near_date_days))
    if use_vendor and use_invoice:
        outcomes.append(dup_checks.invoice_normalized(candidates))
        outcomes.append(
            dup_checks.vendor_name_variant(
                candidates, options.name_max_edit_distance, options.name_min_length, options.name_compare_window
            )
        )
    outcomes.append(dup_checks.same_amount_date_diff_vendor(candidates, options.same_date_min_amount))
    return outcomes


def _flags(candidates: Candidates, outcome: CheckOutcome) -> pd.DataFrame:
    groups = outcome.groups
    flagged = groups.member[~groups.first]
    return build_flags(
        candidates.row_number[flagged],
        outcome.code,
        outcome.reasons,
        outcome.details,
        severity=outcome.severity,
        group_id=dup_checks.group_ids(outcome.code, groups),
    )


# --- summary and sections ---------------------------------------------------------------------


def _summary(transactions: pd.DataFrame, flags: pd.DataFrame) -> dict[str, Any]:
    amounts = transactions["amount"].to_numpy(dtype="float64")
    flagged_rows = int(flags["row_number"].nunique())
    high = flags["severity"].to_numpy(dtype=object) == "high"
    summary: dict[str, Any] = {
        "total_transactions": int(len(transactions)),
        "total_amount": round(float(np.nansum(np.where(amounts > 0, amounts, 0.0))), 2),
        "flagged_transactions": flagged_rows,
        "high_risk_transactions": int(flags["row_number"][high].nunique()),
        "duplicates_found": flagged_rows,
    }
    for column, key in (("user", "unique_users"), ("account", "unique_accounts")):
        if column in transactions.columns:
            summary[key] = int(text_values(transactions[column]).nunique())
    return summary


def _group_values(candidates: Candidates, outcome: CheckOutcome) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the value at risk (every member's amount but the kept first one's) and the member count."""
    groups = outcome.groups
    n = groups.n_groups
    later = ~groups.first
    value = np.bincount(groups.group[later], weights=candidates.cents[groups.member[later]], minlength=n) / 100
    return np.round(value, 2), np.bincount(groups.group, minlength=n)


def _top_groups(
    transactions: pd.DataFrame,
    candidates: Candidates,
    outcome: CheckOutcome,
    value: np.ndarray,
    size: np.ndarray,
    options: DuplicateAnalysisOptions,
) -> list[dict[str, Any]]:
    groups = outcome.groups
    top = np.lexsort((np.arange(len(value)), -value))[: options.top_n_groups]
    listed = []
    for g in top.tolist():
        members = groups.member[groups.group == g][: options.max_members_listed]
        first = groups.first[groups.group == g][: options.max_members_listed]
        positions = candidates.position[members]
        rows = []
        for member, position, kept in zip(members.tolist(), positions.tolist(), first.tolist(), strict=True):
            entry: dict[str, Any] = {
                "row_number": int(candidates.row_number[member]),
                "posting_date": iso_days(candidates.posting_date[member : member + 1])[0],
                "amount": float(transactions["amount"].iat[position]),
                "flagged": not kept,
            }
            for column in ("vendor", "invoice_number", "transaction_id"):
                if column in transactions.columns:
                    entry[column] = transactions[column].iat[position]
            rows.append(entry)
        listed.append(
            {
                "group_id": f"{outcome.code}-{g + 1:06d}",
                "value_at_risk": float(value[g]),
                "member_count": int(size[g]),
                "members": rows,
            }
        )
    return listed


def _sections(
    transactions: pd.DataFrame,
    candidates: Candidates,
    outcomes: list[CheckOutcome],
    flags: pd.DataFrame,
    options: DuplicateAnalysisOptions,
    parameters: dict[str, Any],
    skipped: list[dict[str, str]],
) -> dict[str, Any]:
    by_code = {outcome.code: outcome for outcome in outcomes}
    tests: dict[str, Any] = {}
    top_groups: dict[str, Any] = {}
    for rule in rules_for(ANALYTICS_TYPE):
        entry: dict[str, Any] = {
            "title": rule.title,
            "severity": rule.severity,
            "ran": rule.code in by_code,
            "groups": 0,
            "lines_in_groups": 0,
            "flagged_rows": 0,
            "value_at_risk": 0.0,
        }
        outcome = by_code.get(rule.code)
        if outcome is not None and outcome.severity is not None:
            entry["severity"] = outcome.severity
        if outcome is not None and outcome.chance is not None:
            entry["chance"] = outcome.chance
        if outcome is not None and outcome.groups.n_groups:
            value, size = _group_values(candidates, outcome)
            entry.update(
                groups=outcome.groups.n_groups,
                lines_in_groups=int(size.sum()),
                flagged_rows=int((~outcome.groups.first).sum()),
                value_at_risk=round(float(value.sum()), 2),
            )
            top_groups[rule.code] = _top_groups(transactions, candidates, outcome, value, size, options)
        tests[rule.code] = entry
    flagged_positions = np.flatnonzero(transactions["row_number"].isin(flags["row_number"]).to_numpy())
    flagged_amounts = np.abs(transactions["amount"].to_numpy(dtype="float64")[flagged_positions])
    risk_assessment: dict[str, Any] = {
        "tests": tests,
        "flagged_rows": int(len(flagged_positions)),
        # Distinct flagged rows, so a row flagged by two tests counts once.
        "value_at_risk": round(float(np.nansum(flagged_amounts)), 2),
        "candidates": candidates.stats,
        "same_amount_date_basis": (
            "vendor"
            if candidates.vendor is not None
            else "journal entry"
            if candidates.je_number is not None
            else "none"
        ),
        "top_groups": top_groups,
        "thresholds": parameters,
        "skipped": skipped,
    }
    months = pd.Series(transactions["posting_date"].to_numpy()[flagged_positions]).dt.strftime("%Y-%m")
    by_month = pd.DataFrame({"month": months, "amount": flagged_amounts}).groupby("month")["amount"]
    chart_data = {
        "duplicates_by_test": [
            {
                "rule_code": code,
                "title": RULES[code].title,
                "groups": t["groups"],
                "flagged_rows": t["flagged_rows"],
                "value_at_risk": t["value_at_risk"],
            }
            for code, t in tests.items()
        ],
        "flagged_by_month": [
            {"month": m, "flagged_rows": int(n), "value_at_risk": round(float(v), 2)}
            for m, n, v in zip(by_month.size().index, by_month.size(), by_month.sum(), strict=True)
        ],
    }
    return {"risk_assessment": risk_assessment, "chart_data": chart_data}
