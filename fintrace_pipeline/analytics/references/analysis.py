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
    matched: dict[str, pd.DataFrame] = {}

    def lines() -> pd.DataFrame:
        """The lines with a vendor beside the vendor's master entry, matched once for all checks."""
        if "lines" not in matched:
            matches = match_vendors(transactions["vendor"], master.entries, options.vendor_match_score)
            matched["lines"] = checks.vendor_lines(transactions, matches)
            fuzzy = matches[matches["how"] == FUZZY].sort_values("score").head(options.top_n)
            sections["vendors"] = {
                "distinct": int(len(matches)),
                "in_master": int(matches["how"].isin([EXACT, FUZZY]).sum()),
                "matched_fuzzily": int((matches["how"] == FUZZY).sum()),
                "fuzzy_matches": fuzzy[["vendor", "match", "score"]].to_dict("records"),
            }
        return matched["lines"]

    def check(code: str, lacking: str | None, body) -> None:
        """``body``'s flags for rule ``code``; skipped for a column the file lacks, else for a list
        (or a field of one) the source lacks."""
        run.run_rule(code, lambda: run.skip(code, lacking) if lacking else run.record(code, *body()))

    no_master = f"source {references.source!r} has no vendor master" if master is None else None
    no_employees = f"source {references.source!r} has no employee list" if employees is None else None
    no_dates = (
        "the vendor master has no dates added"
        if master is not None and not master.entries["added_date"].notna().any()
        else None
    )
    check("VENDOR_NOT_IN_MASTER", no_master, lambda: checks.not_in_master(lines(), master, options))
    check(
        "VENDOR_SHARES_EMPLOYEE_DETAILS",
        no_master or no_employees,
        lambda: checks.shares_employee_details(lines(), master, employees, options),
    )
    check(
        "VENDOR_ADDED_BEFORE_LARGE_PAYMENT",
        no_master or no_dates,
        lambda: checks.added_before_large_payment(lines(), master, options),
    )
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
