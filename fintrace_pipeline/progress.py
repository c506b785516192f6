"""How the tracker's overall and per-group columns are derived from per-stage state (the stages and
their shares of progress are in ``stages``). Pure functions, no database."""

from __future__ import annotations

from typing import Any

from fintrace_pipeline.stages import GROUP_COLUMNS, STAGES
from fintrace_pipeline.status import CANCELED, COMPLETED, DONE, FAILED, PENDING, RUNNING, SKIPPED


def initial_step_details() -> dict[str, dict[str, Any]]:
    return {s.name: {"label": s.label, "status": PENDING, "progress": 0.0} for s in STAGES}


def step_fraction(state: dict[str, Any]) -> float:
    if state.get("status") in DONE:
        return 1.0
    return max(0.0, min(1.0, float(state.get("progress") or 0.0) / 100.0))


def overall_progress(details: dict[str, dict[str, Any]]) -> float:
    """Weighted sum over steps: steps may run in parallel, so no single step marks the position."""
    total = sum(s.weight * step_fraction(details.get(s.name, {})) for s in STAGES)
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
        steps = [s for s in STAGES if s.group == group]
        states = [details.get(s.name, {}) for s in steps]
        values[status_column] = group_status([st.get("status", PENDING) for st in states])
        weight = sum(s.weight for s in steps)
        done = sum(s.weight * step_fraction(st) for s, st in zip(steps, states, strict=True))
        values[progress_column] = round(100.0 * done / weight, 2)
    running = [s.label for s in STAGES if details.get(s.name, {}).get("status") == RUNNING]
    values["completed_steps"] = sum(1 for s in STAGES if details.get(s.name, {}).get("status") in DONE)
    values["current_step"] = ", ".join(running) if running else _idle_step(details)
    values["overall_progress"] = overall_progress(details)
    return values


def _idle_step(details: dict[str, dict[str, Any]]) -> str:
    for s in STAGES:
        status = details.get(s.name, {}).get("status", PENDING)
        if status in (FAILED, CANCELED):
            return f"{s.label} ({status.lower()})"
    pending = [s.label for s in STAGES if details.get(s.name, {}).get("status", PENDING) == PENDING]
    if not pending:
        return "Completed"
    return f"Waiting: {pending[0]}"
