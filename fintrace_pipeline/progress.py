"""The six processing steps, their share of overall progress (the seed's percentages) and how the
tracker's per-group columns are derived from per-step state. Pure functions, no database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PENDING, RUNNING, COMPLETED, FAILED, CANCELED, SKIPPED = (
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELED",
    "SKIPPED",
)
DONE = (COMPLETED, SKIPPED)
TERMINAL_JOB_STATES = (COMPLETED, FAILED, CANCELED)


@dataclass(frozen=True)
class Step:
    name: str  # the Dagster asset name
    label: str
    start: float  # overall progress when the step starts ...
    end: float  # ... and when it is done
    group: str  # which of the tracker's status/progress column pairs it feeds

    @property
    def weight(self) -> float:
        return self.end - self.start


STEPS = (
    Step("ingest", "File processing", 0, 20, "file_processing"),
    Step("default_analytics", "Default analytics", 20, 40, "analytics"),
    Step("comprehensive_expense", "Comprehensive expense analytics", 40, 60, "analytics"),
    Step("duplicate_analysis", "Duplicate analysis", 60, 80, "analytics"),
    Step("anomaly_detection", "Anomaly detection", 80, 90, "anomaly"),
    Step("ml_ensemble", "ML processing", 90, 100, "ml"),
)
STEP_BY_NAME = {s.name: s for s in STEPS}
# group -> (status column, progress column) of processing_job_trackers
GROUP_COLUMNS = {
    "file_processing": ("file_processing_status", "file_processing_progress"),
    "analytics": ("analytics_status", "analytics_progress"),
    "anomaly": ("anomaly_detection_status", "anomaly_progress"),
    "ml": ("ml_processing_status", "ml_progress"),
}


def initial_step_details() -> dict[str, dict[str, Any]]:
    return {s.name: {"label": s.label, "status": PENDING, "progress": 0.0} for s in STEPS}


def step_fraction(state: dict[str, Any]) -> float:
    if state.get("status") in DONE:
        return 1.0
    return max(0.0, min(1.0, float(state.get("progress") or 0.0) / 100.0))


def overall_progress(details: dict[str, dict[str, Any]]) -> float:
    """Weighted sum over steps: steps may run in parallel, so no single step marks the position."""
    total = sum(s.weight * step_fraction(details.get(s.name, {})) for s in STEPS)
    return round(min(total, 100.0), 2)


def group_status(statuses: list[str]) -> str:
    if FAILED in statuses:
        return FAILED
    if CANCELED in statuses:
        return CANCELED
    if all(s in DONE for s in statuses):
        return SKIPPED if all(s == SKIPPED for s in statuses) else COMPLETED
    if any(s != PENDING for s in statuses):
        return RUNNING
    return PENDING


def tracker_columns(details: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The tracker's aggregate columns derived from the per-step details."""
    values: dict[str, Any] = {}
    for group, (status_column, progress_column) in GROUP_COLUMNS.items():
        steps = [s for s in STEPS if s.group == group]
        states = [details.get(s.name, {}) for s in steps]
        values[status_column] = group_status([st.get("status", PENDING) for st in states])
        weight = sum(s.weight for s in steps)
        done = sum(s.weight * step_fraction(st) for s, st in zip(steps, states, strict=True))
        values[progress_column] = round(100.0 * done / weight, 2)
    running = [s.label for s in STEPS if details.get(s.name, {}).get("status") == RUNNING]
    values["completed_steps"] = sum(1 for s in STEPS if details.get(s.name, {}).get("status") in DONE)
    values["current_step"] = ", ".join(running) if running else _idle_step(details)
    values["overall_progress"] = overall_progress(details)
    return values


def _idle_step(details: dict[str, dict[str, Any]]) -> str:
    for s in STEPS:
        status = details.get(s.name, {}).get("status", PENDING)
        if status in (FAILED, CANCELED):
            return f"{s.label} ({status.lower()})"
    pending = [s.label for s in STEPS if details.get(s.name, {}).get("status", PENDING) == PENDING]
    if not pending:
        return "Completed"
    return f"Waiting: {pending[0]}"
