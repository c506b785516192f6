"""The ``processing_job_trackers`` row: live, per-step progress of one job.

Steps may run in parallel processes, so every change locks the tracker row (``FOR UPDATE`` on
PostgreSQL; SQLite serialises writers at ``BEGIN IMMEDIATE``), edits its own step's entry in
``step_details`` and recomputes the aggregate columns from all steps.
"""

from __future__ import annotations

import resource
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psutil
from sqlalchemy import Connection, Engine, insert, select, update

from fintrace_pipeline.db.schema import processing_job_trackers as trackers
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.progress import initial_step_details, tracker_columns
from fintrace_pipeline.stages import STAGE_BY_NAME, STAGES
from fintrace_pipeline.status import CANCELED, DONE, FAILED, RUNNING


def create_tracker(connection: Connection, job_id: uuid.UUID, data_file_id: uuid.UUID) -> None:
    now = utcnow()
    details = initial_step_details()
    connection.execute(
        insert(trackers).values(
            id=uuid.uuid4(),
            processing_job_id=job_id,
            data_file_id=data_file_id,
            total_steps=len(STAGES),
            step_details=details,
            error_log=[],
            created_at=now,
            updated_at=now,
            **tracker_columns(details),
        )
    )


def _locked(connection: Connection, job_id: uuid.UUID):
    return connection.execute(select(trackers).where(trackers.c.processing_job_id == job_id).with_for_update()).first()


def _write(connection: Connection, row, details: dict, error_log: list, **extra: Any) -> None:
    steps = [details[s.name] for s in STAGES]
    memory = [s.get("peak_memory_mb") for s in steps if s.get("peak_memory_mb") is not None]
    cpu = [s.get("cpu_percent") for s in steps if s.get("cpu_percent") is not None]
    connection.execute(
        update(trackers)
        .where(trackers.c.id == row.id)
        .values(
            step_details=details,
            error_log=error_log,
            memory_usage_mb=max(memory) if memory else None,
            cpu_usage_percent=max(cpu) if cpu else None,
            updated_at=utcnow(),
            **tracker_columns(details),
            **extra,
        )
    )


def update_step(engine: Engine, job_id: uuid.UUID, step: str, *, error: str | None = None, **changes: Any) -> bool:
    """Merge ``changes`` into one step's entry; an ``error`` is also appended to the error log.

    Returns whether every step has now finished (COMPLETED or SKIPPED): of steps finishing at the
    same time, only the last to take the lock sees that."""
    if step not in STAGE_BY_NAME:
        raise ValueError(f"unknown step {step!r}")
    with engine.begin() as connection:
        row = _locked(connection, job_id)
        if row is None:
            raise LookupError(f"no tracker for job {job_id}")
        details = dict(row.step_details or initial_step_details())
        previous = details.get(step, {})
        if changes.get("status") == RUNNING:  # a retried step starts clean
            previous = {k: v for k, v in previous.items() if k in ("label",)}
        details[step] = {**previous, **changes}
        error_log = list(row.error_log or [])
        if error:
            details[step]["error"] = error
            error_log.append({"step": step, "error": error, "at": utcnow().isoformat()})
        _write(connection, row, details, error_log)
    return all(details[s.name].get("status") in DONE for s in STAGES)


def mark_started(connection: Connection, job_id: uuid.UUID, now: datetime) -> None:
    connection.execute(
        update(trackers)
        .where(trackers.c.processing_job_id == job_id, trackers.c.started_at.is_(None))
        .values(started_at=now, updated_at=now)
    )


def finish_tracker(
    connection: Connection, job_id: uuid.UUID, status: str, error_message: str | None, now: datetime
) -> None:
    """Close the tracker with the job: steps left running end with the job's status."""
    row = _locked(connection, job_id)
    if row is None:
        return
    details = dict(row.step_details or initial_step_details())
    error_log = list(row.error_log or [])
    if status in (FAILED, CANCELED):
        for name, state in details.items():
            if state.get("status") == RUNNING:
                details[name] = {**state, "status": status}
        if error_message and not any(e.get("error") == error_message for e in error_log):
            error_log.append({"step": None, "error": error_message, "at": now.isoformat()})
    started = row.started_at or row.created_at
    _write(
        connection,
        row,
        details,
        error_log,
        completed_at=now,
        total_processing_time=round((now - started).total_seconds(), 3),
    )


def get_tracker(connection: Connection, job_id: uuid.UUID):
    return connection.execute(select(trackers).where(trackers.c.processing_job_id == job_id)).first()


@dataclass
class StepMeter:
    """Wall time, CPU % and memory of the running process over one step."""

    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=lambda: _cpu_seconds())

    def readings(self) -> dict[str, float]:
        wall = max(time.perf_counter() - self.started, 1e-9)
        process = psutil.Process()
        return {
            "duration": round(wall, 3),
            "cpu_percent": round(100.0 * (_cpu_seconds() - self.cpu_started) / wall, 1),
            "memory_mb": round(process.memory_info().rss / 2**20, 1),
            # ru_maxrss is in KiB on Linux: the process's peak, which bounds the step's peak.
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def _cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system
