"""The duplicate_analysis stage: the standard duplicate-payment tests over the canonical frame.

``candidates`` picks the comparable units (documents of journal entries where the file numbers its
entries, else lines) and drops reversals, ``checks`` holds one function per rule code, ``groups`` the
sort-based grouping they share. This module decides which tests can run on the columns the file has,
turns their groups into flags (every line of a flagged document) and assembles the bounded sections
stored with the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import iso_days, unusable_reason
from fintrace_pipeline.analytics.duplicates.candidates import Candidates, select_candidates
from fintrace_pipeline.analytics.duplicates.checks import CHECKS, CheckOutcome, group_ids
from fintrace_pipeline.analytics.duplicates.options import DuplicateAnalysisOptions
from fintrace_pipeline.analytics.flags import (
    build_flags,
    demote_below_materiality,
    flagged_summary,
    gather_flags,
    unflaggable_result,
)
from fintrace_pipeline.analytics.stage import completed_result
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.rules import DUPLICATE_ANALYSIS, RULES, rules_for


def run_duplicate_analysis(
    transactions: pd.DataFrame, options: DuplicateAnalysisOptions | None = None
) -> AnalysisResult:
    options = options or DuplicateAnalysisOptions()
    parameters = options.parameters()
    missing = unflaggable_result(DUPLICATE_ANALYSIS, parameters, transactions)
    if missing is not None:
        return missing
    unusable = {rule.code: unusable_reason(transactions, rule.columns) for rule in rules_for(DUPLICATE_ANALYSIS)}
    skipped = [{"check": code, "reason": reason} for code, reason in unusable.items() if reason is not None]
    candidates = select_candidates(
        transactions,
        unusable_reason(transactions, ("vendor",)) is None,
        unusable_reason(transactions, ("invoice_number",)) is None,
        options.drop_invoice_alpha_prefix,
        options.reversal_pattern,
        use_entries=unusable_reason(transactions, ("je_number",)) is None,
    )
    outcomes = [CHECKS[code](candidates, options) for code, reason in unusable.items() if reason is None]
    flags = gather_flags([_flags(transactions, candidates, outcome, options.materiality) for outcome in outcomes])
    high = flags["severity"].to_numpy(dtype=object) == "high"
    summary = flagged_summary(transactions, flags, high_risk=int(flags["row_number"][high].nunique()))
    summary["duplicates_found"] = summary["flagged_transactions"]
    return completed_result(
        DUPLICATE_ANALYSIS,
        summary,
        _sections(transactions, candidates, outcomes, flags, options, parameters, skipped),
        parameters,
        skipped,
        flags,
    )


def _flags(
    transactions: pd.DataFrame, candidates: Candidates, outcome: CheckOutcome, materiality: float
) -> pd.DataFrame:
    """A flag on every line of every flagged unit, with its unit's reason and details; one severity
    level lower where the unit's amount is below ``materiality``."""
    groups = outcome.groups
    flagged = groups.member[~groups.first]
    positions, owner = candidates.lines.of(flagged)
    row_numbers = transactions["row_number"].to_numpy(dtype=np.int64)
    flags = build_flags(
        row_numbers[positions],
        outcome.code,
        [outcome.reasons[i] for i in owner.tolist()],
        [outcome.details[i] for i in owner.tolist()],
        severity=outcome.severity,
        group_id=np.asarray(group_ids(outcome.code, groups), dtype=object)[owner],
    )
    return demote_below_materiality(flags, transactions, materiality, candidates.cents[flagged][owner] / 100)


def _flagged_units(outcomes: list[CheckOutcome]) -> np.ndarray:
    """The units any test flags, each once."""
    parts = [outcome.groups.member[~outcome.groups.first] for outcome in outcomes]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


# --- sections ---------------------------------------------------------------------------------


def _group_values(candidates: Candidates, outcome: CheckOutcome) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the value at risk (every member's amount but the kept first one's) and the member count."""
    groups = outcome.groups
    n = groups.n_groups
    later = ~groups.first
    value = np.bincount(groups.group[later], weights=candidates.cents[groups.member[later]], minlength=n) / 100
    return np.round(value, 2), np.bincount(groups.group, weights=candidates.lines.count[groups.member], minlength=n)


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
            if candidates.documents:
                entry["amount"] = float(candidates.sign[member] * candidates.cents[member] / 100)
                entry["lines"] = int(candidates.lines.count[member])
            for column in ("je_number", "vendor", "invoice_number", "transaction_id"):
                if column in transactions.columns:
                    entry[column] = transactions[column].iat[position]
            rows.append(entry)
        listed.append(
            {
                "group_id": f"{outcome.code}-{g + 1:06d}",
                "value_at_risk": float(value[g]),
                "member_count": int(np.count_nonzero(groups.group == g)),
                "line_count": int(size[g]),
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
    for rule in rules_for(DUPLICATE_ANALYSIS):
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
            flagged = outcome.groups.member[~outcome.groups.first]
            entry.update(
                groups=outcome.groups.n_groups,
                lines_in_groups=int(size.sum()),
                flagged_rows=int(candidates.lines.count[flagged].sum()),
                value_at_risk=round(float(value.sum()), 2),
            )
            top_groups[rule.code] = _top_groups(transactions, candidates, outcome, value, size, options)
        tests[rule.code] = entry
    # Distinct flagged units, so a line or document flagged by two tests counts once.
    flagged_units = _flagged_units(outcomes)
    flagged_amounts = candidates.cents[flagged_units] / 100
    risk_assessment: dict[str, Any] = {
        "tests": tests,
        "flagged_rows": int(flags["row_number"].nunique()),
        "value_at_risk": round(float(flagged_amounts.sum()), 2),
        "candidates": candidates.stats,
        "same_amount_date_basis": (
            "vendor" if candidates.vendor is not None else "journal entry" if candidates.documents else "none"
        ),
        "top_groups": top_groups,
        "thresholds": parameters,
        "skipped": skipped,
    }
    months = pd.Series(candidates.posting_date[flagged_units]).dt.strftime("%Y-%m")
    by_month = pd.DataFrame(
        {"month": months, "amount": flagged_amounts, "lines": candidates.lines.count[flagged_units]}
    ).groupby("month")
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
            for m, n, v in zip(by_month.size().index, by_month["lines"].sum(), by_month["amount"].sum(), strict=True)
        ],
    }
    return {"risk_assessment": risk_assessment, "chart_data": chart_data}
