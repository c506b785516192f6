"""The reference_checks stage on one file: match its vendors to the source's vendor master, then look
for vendors the master does not hold, vendors that share an employee's bank account, tax id or
address, and vendors added to the master shortly before their first large payment."""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.flags import flagged_summary, gather_flags, unflaggable_result
from fintrace_pipeline.analytics.references import checks
from fintrace_pipeline.analytics.references.lists import ReferenceLists
from fintrace_pipeline.analytics.references.matching import EXACT, FUZZY, match_vendors
from fintrace_pipeline.analytics.references.options import ReferenceCheckOptions
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.analytics.stage import completed_result, skipped_result
from fintrace_pipeline.findings import SEVERITY_WEIGHT, AnalysisResult
from fintrace_pipeline.rules import REFERENCE_CHECKS


def run_reference_checks(
    transactions: pd.DataFrame,
    options: ReferenceCheckOptions | None = None,
    references: ReferenceLists | None = None,
) -> AnalysisResult:
    options = options or ReferenceCheckOptions()
    parameters = options.parameters()
    missing = unflaggable_result(REFERENCE_CHECKS, parameters, transactions)
    if missing is not None:
        return missing
    if references is None or references.empty:
        source = references.source if references is not None else "default"
        return skipped_result(
            REFERENCE_CHECKS,
            parameters,
            f"source {source!r} has no vendor master or employee list; add one with "
            f"`fintrace reference add PATH --kind vendor_master --source {source}` or POST /api/references",
            len(transactions),
        )
    parameters = {**parameters, **_versions(references)}
    run = RuleRun(transactions)
    master, employees = references.vendor_master, references.employees
    sections: dict = {"lists": _versions(references)}
    state: dict = {}

    def matched() -> None:
        matches = match_vendors(transactions["vendor"], master.entries, options.vendor_match_score)
        state["lines"] = checks.vendor_lines(transactions, matches)
        fuzzy = matches[matches["how"] == FUZZY].sort_values("score").head(options.top_n)
        sections["vendors"] = {
            "distinct": int(len(matches)),
            "in_master": int(matches["how"].isin([EXACT, FUZZY]).sum()),
            "matched_fuzzily": int((matches["how"] == FUZZY).sum()),
            "fuzzy_matches": fuzzy[["vendor", "match", "score"]].to_dict("records"),
        }

    if master is None:
        for code in ("VENDOR_NOT_IN_MASTER", "VENDOR_SHARES_EMPLOYEE_DETAILS", "VENDOR_ADDED_BEFORE_LARGE_PAYMENT"):
            run.skip(code, f"source {references.source!r} has no vendor master")
    else:
        run.run_rule("VENDOR_NOT_IN_MASTER", matched)
    lines = state.get("lines")
    if lines is not None:
        flags, stats = checks.not_in_master(lines, master, options)
        run.record("VENDOR_NOT_IN_MASTER", flags, stats)
        if employees is None:
            run.skip("VENDOR_SHARES_EMPLOYEE_DETAILS", f"source {references.source!r} has no employee list")
        else:
            flags, stats = checks.shares_employee_details(lines, master, employees, options)
            run.record("VENDOR_SHARES_EMPLOYEE_DETAILS", flags, stats)
        if master.entries["added_date"].notna().any():
            flags, stats = checks.added_before_large_payment(lines, master, options)
            run.record("VENDOR_ADDED_BEFORE_LARGE_PAYMENT", flags, stats)
        else:
            run.skip("VENDOR_ADDED_BEFORE_LARGE_PAYMENT", "the vendor master has no dates added")
    flags = gather_flags(run.flags)
    weights = flags["severity"].map(SEVERITY_WEIGHT)
    summary = flagged_summary(transactions, flags, high_risk=int(flags.loc[weights >= 3, "row_number"].nunique()))
    summary["anomalies_found"] = int(len(flags))
    sections["checks"] = run.checks
    counts = flags["rule_code"].value_counts()
    sections["findings"] = {str(code): int(n) for code, n in counts.items()}
    return completed_result(REFERENCE_CHECKS, summary, {"risk_assessment": sections}, parameters, run.skipped, flags)


def _versions(references: ReferenceLists) -> dict:
    """Which list of the source each finding was judged against."""
    return {
        f"{kind}_version": (
            {"version": found.version, "file_name": found.file_name, "entries": int(len(found.entries))}
            if found is not None
            else None
        )
        for kind, found in (("vendor_master", references.vendor_master), ("employees", references.employees))
    }
