"""Asset checks an analyst sees in the Dagster UI: warnings about a file's quality, never blockers.

Each check is named by a stage in the stage registry and judges what that stage produced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec

from fintrace_pipeline.findings import AnalysisResult

MAX_REJECTED_SHARE = 0.05


@dataclass(frozen=True)
class QualityCheck:
    name: str
    description: str
    judge: Callable[[Any], tuple[bool, dict]]  # the stage's output -> (passed, metadata)

    def spec(self, asset: str) -> AssetCheckSpec:
        return AssetCheckSpec(self.name, asset=asset, description=self.description)

    def result(self, output: Any) -> AssetCheckResult:
        passed, metadata = self.judge(output)
        return AssetCheckResult(
            check_name=self.name, passed=passed, severity=AssetCheckSeverity.WARN, metadata=metadata
        )


def rejected_rows(counts: tuple[int, int]) -> tuple[bool, dict]:
    rows_read, rows_rejected = counts
    share = rows_rejected / rows_read if rows_read else 0.0
    metadata = {"rows_read": rows_read, "rows_rejected": rows_rejected, "share": round(share, 4)}
    return share <= MAX_REJECTED_SHARE, metadata


def trial_balance(result: AnalysisResult) -> tuple[bool, dict]:
    balance = (result.sections.get("trial_balance_data") or {}).get("balance_check")
    if not balance:
        return True, {"note": result.error_message or "no trial balance computed"}
    return bool(balance["balanced"]), {k: balance[k] for k in ("total_debit", "total_credit", "difference")}


def benford_conformity(result: AnalysisResult) -> tuple[bool, dict]:
    first = ((result.sections.get("risk_assessment") or {}).get("benford") or {}).get("first_digit")
    if not first:
        return True, {"note": "too few amounts of 10 or more to test"}
    conformity = first["conformity"]
    return conformity != "nonconformity", {"conformity": conformity, "mad": first["mad"], "amounts": first["n"]}


CHECKS = {
    check.name: check
    for check in (
        QualityCheck(
            "rejected_rows_share", f"At most {MAX_REJECTED_SHARE:.0%} of data rows rejected.", rejected_rows
        ),
        QualityCheck("trial_balance_balanced", "Total debits equal total credits.", trial_balance),
        QualityCheck(
            "benford_first_digit_conformity",
            "First digits of amounts conform to Benford's law (Nigrini's MAD bands).",
            benford_conformity,
        ),
    )
}


def checks_of(stage) -> list[QualityCheck]:
    return [CHECKS[name] for name in stage.checks]
