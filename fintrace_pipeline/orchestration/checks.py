"""Asset checks an analyst sees in the Dagster UI: warnings about a file's quality, never blockers."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec

from fintrace_pipeline.findings import AnalysisResult

MAX_REJECTED_SHARE = 0.05

REJECTED_ROWS = AssetCheckSpec(
    "rejected_rows_share", asset="ingest", description=f"At most {MAX_REJECTED_SHARE:.0%} of data rows rejected."
)
TRIAL_BALANCE = AssetCheckSpec(
    "trial_balance_balanced", asset="default_analytics", description="Total debits equal total credits."
)
BENFORD = AssetCheckSpec(
    "benford_first_digit_conformity",
    asset="anomaly_detection",
    description="First digits of amounts conform to Benford's law (Nigrini's MAD bands).",
)


def _warn(spec: AssetCheckSpec, passed: bool, metadata: dict) -> AssetCheckResult:
    return AssetCheckResult(check_name=spec.name, passed=passed, severity=AssetCheckSeverity.WARN, metadata=metadata)


def rejected_rows_check(rows_read: int, rows_rejected: int) -> AssetCheckResult:
    share = rows_rejected / rows_read if rows_read else 0.0
    return _warn(
        REJECTED_ROWS,
        share <= MAX_REJECTED_SHARE,
        {"rows_read": rows_read, "rows_rejected": rows_rejected, "share": round(share, 4)},
    )


def trial_balance_check(result: AnalysisResult) -> AssetCheckResult:
    balance = (result.sections.get("trial_balance_data") or {}).get("balance_check")
    if not balance:
        return _warn(TRIAL_BALANCE, True, {"note": result.error_message or "no trial balance computed"})
    return _warn(
        TRIAL_BALANCE, bool(balance["balanced"]), {k: balance[k] for k in ("total_debit", "total_credit", "difference")}
    )


def benford_check(result: AnalysisResult) -> AssetCheckResult:
    benford = (result.sections.get("risk_assessment") or {}).get("benford") or {}
    first = benford.get("first_digit")
    if not first:
        return _warn(BENFORD, True, {"note": "too few amounts of 10 or more to test"})
    conformity = first["conformity"]
    return _warn(
        BENFORD, conformity != "nonconformity", {"conformity": conformity, "mad": first["mad"], "amounts": first["n"]}
    )
