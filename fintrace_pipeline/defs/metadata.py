"""Dagster metadata an analyst can read at a glance in the UI."""

from __future__ import annotations

import pandas as pd
from dagster import MetadataValue

from fintrace_pipeline.findings import SUMMARY_FIELDS, AnalysisResult
from fintrace_pipeline.jsonsafe import is_missing

TOP_FINDINGS = 10


def markdown_table(frame: pd.DataFrame, limit: int = TOP_FINDINGS) -> MetadataValue:
    if frame.empty:
        return MetadataValue.md("_none_")
    # Each cell as text: a missing one (None, NaN, NA) shows blank, and "|" would end the cell.
    shown = frame.head(limit).map(lambda v: "" if is_missing(v) else str(v).replace("|", "\\|"))
    lines = ["| " + " | ".join(shown.columns) + " |", "|" + "---|" * len(shown.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in shown.itertuples(index=False)]
    if len(frame) > limit:
        lines.append(f"\n_{len(frame) - limit:,} more_")
    return MetadataValue.md("\n".join(lines))


def analysis_metadata(result: AnalysisResult) -> dict:
    metadata: dict = {k: result.summary[k] for k in SUMMARY_FIELDS if result.summary.get(k) is not None}
    if result.skipped:
        metadata["skipped_checks"] = MetadataValue.json(result.skipped)
    if result.error_message:
        metadata["note"] = result.error_message
    flags = result.flags
    if flags is not None and not flags.empty:
        order = flags["severity"].map({"high": 0, "medium": 1, "low": 2})
        top = flags.assign(_order=order).sort_values(["_order", "row_number"])
        metadata["flags_by_rule"] = MetadataValue.json(flags["rule_code"].value_counts().to_dict())
        metadata["top_findings"] = markdown_table(top[["row_number", "rule_code", "severity", "reason"]])
    return metadata
