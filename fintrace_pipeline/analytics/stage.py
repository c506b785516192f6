"""The results a stage hands back: COMPLETED with its sections, or SKIPPED with the reason."""

from __future__ import annotations

from typing import Any

import pandas as pd

from fintrace_pipeline.findings import COMPLETED, SKIPPED, AnalysisResult, empty_flags
from fintrace_pipeline.jsonsafe import json_safe


def completed_result(
    analytics_type: str,
    summary: dict[str, Any],
    sections: dict[str, Any],
    parameters: dict[str, Any],
    skipped: list[dict[str, str]],
    flags: pd.DataFrame | None = None,
) -> AnalysisResult:
    return AnalysisResult(
        analytics_type,
        status=COMPLETED,
        summary=summary,
        sections=json_safe(sections),
        flags=empty_flags() if flags is None else flags,
        parameters=parameters,
        skipped=skipped,
    )


def skipped_result(analytics_type: str, parameters: dict[str, Any], reason: str, lines: int = 0) -> AnalysisResult:
    """A stage that had nothing to analyse in ``lines`` lines: no sections, zero amount."""
    return AnalysisResult(
        analytics_type,
        status=SKIPPED,
        parameters=parameters,
        summary={"total_transactions": lines, "total_amount": 0.0},
        error_message=reason,
    )
