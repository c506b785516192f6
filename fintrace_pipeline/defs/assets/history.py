"""The history_comparison step: the file against the earlier files of its source, read from the
per-source aggregates; then the file's own share of those aggregates is stored (in place of any
share it had), so the source's later files compare with it."""

from __future__ import annotations

import time

import pandas as pd
from dagster import MetadataValue

from fintrace_pipeline.analytics.file_options import options_for
from fintrace_pipeline.analytics.history import file_contribution, run_history_comparison
from fintrace_pipeline.defs.loading import load_file_transactions
from fintrace_pipeline.defs.metadata import analysis_metadata, markdown_table
from fintrace_pipeline.defs.step import StepContext, StepOutput, result_details
from fintrace_pipeline.persistence.history import load_history, record_contribution
from fintrace_pipeline.stages import STAGE_BY_NAME


def history_step(step: StepContext) -> StepOutput:
    stage = STAGE_BY_NAME["history_comparison"]
    clock = _Clock()
    transactions = load_file_transactions(step)
    options = options_for(stage.options_type(), step.settings.analysis_options(), step.file_options())
    contribution = file_contribution(transactions)
    clock.lap("read_file")
    source = step.data_file.source
    with step.engine.connect() as connection:
        history = load_history(
            connection,
            source,
            step.data_file.id,
            contribution.period_start,
            contribution.documents,
            amount_days=options.history_duplicate_days,
        )
    clock.lap("read_history")
    result = run_history_comparison(transactions, options, history, contribution)
    clock.lap("compare")
    step.saver().save_analysis(stage.analytics_type, result)
    with step.engine.begin() as connection:
        record_contribution(connection, step.data_file.id, source, contribution)
    clock.lap("store")
    details = result_details(result, earlier_files=len(history.files), seconds=clock.laps)
    metadata = {
        **analysis_metadata(result),
        **comparison_metadata(result, history),
        "seconds_by_part": MetadataValue.json(clock.laps),
    }
    return StepOutput(result.status, details, metadata)


class _Clock:
    """Seconds spent in each part of the step: what a slower run spends its time on."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


def comparison_metadata(result, history) -> dict:
    """What the Dagster UI shows beside the findings: the earlier files, the months side by side, the
    new and reactivated vendors and the cross-file duplicates."""
    months = result.sections.get("temporal_patterns", {})
    side_by_side = pd.DataFrame(
        [
            {"month": m["month"], "file": "earlier", "rows": m["rows"], "total": m["total"]}
            for m in months.get("earlier_months", [])
        ]
        + [
            {"month": m["month"], "file": "this", "rows": m["rows"], "total": m["total"]}
            for m in months.get("file_months", [])
        ]
    )
    comparison = result.sections.get("risk_assessment", {})
    metadata = {
        "source": history.source,
        "earlier_files": len(history.files),
        "months": markdown_table(side_by_side, limit=36),
    }
    for name in ("new_vendors", "reactivated_vendors", "spend_changes", "cross_file_duplicates"):
        listed = comparison.get(name)
        if listed:
            frame = pd.DataFrame(listed).drop(columns=["history", "earlier_file_id"], errors="ignore")
            metadata[name] = markdown_table(frame)
    if comparison.get("new_pairs"):
        metadata["new_pairs"] = MetadataValue.json({k: v["count"] for k, v in comparison["new_pairs"].items()})
    return metadata
