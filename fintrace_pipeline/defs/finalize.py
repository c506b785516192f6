"""Closing a processing job when its Dagster run ends, however the run was launched."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import Engine

from fintrace_pipeline.defs.partitions import JOB_ID_TAG
from fintrace_pipeline.persistence import jobs, tracker
from fintrace_pipeline.persistence.records import ProcessingJob
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver


def job_of_run(engine: Engine, run_id: str, tags: Mapping[str, str]) -> ProcessingJob | None:
    with engine.connect() as connection:
        tagged = tags.get(JOB_ID_TAG)
        if tagged:
            return jobs.get_job(connection, uuid.UUID(tagged))
        return jobs.job_for_run(connection, run_id)


def first_step_error(engine: Engine, job: ProcessingJob) -> str | None:
    with engine.connect() as connection:
        row = tracker.get_tracker(connection, job.id)
    errors = [e.get("error") for e in (row.error_log or []) if e.get("error")] if row else []
    return errors[0] if errors else None


def finalize_run(
    engine: Engine,
    run_id: str,
    tags: Mapping[str, str],
    *,
    success: bool,
    error_message: str | None = None,
    canceled: bool = False,
) -> ProcessingJob | None:
    """Mark the run's job COMPLETED, FAILED or CANCELED (once). The failing step's own message wins
    over Dagster's generic one, since it says what was wrong with the file."""
    job = job_of_run(engine, run_id, tags)
    if job is None:
        return None
    if not success:
        error_message = first_step_error(engine, job) or error_message or "The run failed."
    AnalyticsDBSaver(job, engine).finalize_processing(success, error_message, canceled=canceled)
    return job
