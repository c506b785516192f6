"""Processing jobs: one per run over a data file, PENDING -> RUNNING -> COMPLETED | FAILED | CANCELED."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import Connection, Engine, bindparam, exists, insert, select, update

from fintrace_pipeline.db.schema import data_files
from fintrace_pipeline.db.schema import file_processing_jobs as jobs
from fintrace_pipeline.persistence import tracker
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.records import ProcessingJob
from fintrace_pipeline.status import PENDING, RUNNING, TERMINAL_JOB_STATES


def create_job(
    engine: Engine, data_file_id: uuid.UUID, *, trigger: str, dagster_run_id: str | None = None
) -> ProcessingJob:
    """A PENDING job and its tracker, created together so progress can be polled at once."""
    now = utcnow()
    job_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            insert(jobs).values(
                id=job_id,
                data_file_id=data_file_id,
                dagster_run_id=dagster_run_id,
                trigger=trigger,
                status=PENDING,
                created_at=now,
                updated_at=now,
            )
        )
        tracker.create_tracker(connection, job_id, data_file_id)
        return get_job(connection, job_id)


def get_job(connection: Connection, job_id: uuid.UUID) -> ProcessingJob | None:
    row = connection.execute(select(jobs).where(jobs.c.id == job_id)).first()
    return ProcessingJob.from_row(row) if row else None


def job_for_run(connection: Connection, dagster_run_id: str) -> ProcessingJob | None:
    row = connection.execute(
        select(jobs).where(jobs.c.dagster_run_id == dagster_run_id).order_by(jobs.c.created_at.desc())
    ).first()
    return ProcessingJob.from_row(row) if row else None


def latest_job(connection: Connection, data_file_id: uuid.UUID, status: str | None = None) -> ProcessingJob | None:
    query = select(jobs).where(jobs.c.data_file_id == data_file_id)
    if status:
        query = query.where(jobs.c.status == status)
    row = connection.execute(query.order_by(jobs.c.created_at.desc(), jobs.c.id)).first()
    return ProcessingJob.from_row(row) if row else None


def has_job_in(connection: Connection, data_file_id: uuid.UUID, statuses: Collection[str]) -> bool:
    """Whether the file has any job in one of ``statuses``."""
    query = select(exists().where(jobs.c.data_file_id == data_file_id, jobs.c.status.in_(statuses)))
    return bool(connection.execute(query).scalar())


def mark_running(engine: Engine, job_id: uuid.UUID, dagster_run_id: str | None) -> None:
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == PENDING)
            .values(status=RUNNING, started_at=now, updated_at=now)
        )
        if dagster_run_id:
            connection.execute(
                update(jobs).where(jobs.c.id == job_id).values(dagster_run_id=dagster_run_id, updated_at=now)
            )
        tracker.mark_started(connection, job_id, now)


def finish_job(engine: Engine, job_id: uuid.UUID, status: str, error_message: str | None = None) -> bool:
    """Move a job to a terminal state once; later calls (e.g. a second sensor) change nothing."""
    assert status in TERMINAL_JOB_STATES, status
    now = utcnow()
    with engine.begin() as connection:
        result = connection.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status.not_in(TERMINAL_JOB_STATES))
            .values(status=status, error_message=error_message, completed_at=now, updated_at=now)
        )
        if result.rowcount == 0:
            return False
        tracker.finish_tracker(connection, job_id, status, error_message, now)
        return True


# Jobs whose runs the inbox sensor requests: every file registered from the inbox or uploaded.
QUEUED_TRIGGERS = ("inbox", "upload")


def waiting_for_a_run(connection: Connection, limit: int) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """(job id, data file id, file name) of the oldest PENDING jobs no Dagster run is known for yet."""
    query = (
        select(jobs.c.id, jobs.c.data_file_id, data_files.c.file_name)
        .join(data_files, data_files.c.id == jobs.c.data_file_id)
        .where(jobs.c.status == PENDING, jobs.c.dagster_run_id.is_(None), jobs.c.trigger.in_(QUEUED_TRIGGERS))
        .order_by(jobs.c.created_at, jobs.c.id)
        .limit(limit)
    )
    return [tuple(row) for row in connection.execute(query)]


def link_runs(engine: Engine, run_ids: dict[uuid.UUID, str]) -> None:
    """Record the Dagster run found for each job (the run exists, it may not have started yet)."""
    if not run_ids:
        return
    with engine.begin() as connection:
        connection.execute(
            update(jobs)
            .where(jobs.c.id == bindparam("job_id"), jobs.c.dagster_run_id.is_(None))
            .values(dagster_run_id=bindparam("run_id"), updated_at=utcnow()),
            [{"job_id": job_id, "run_id": run_id} for job_id, run_id in run_ids.items()],
        )
