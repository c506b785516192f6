"""Removing a data file's rows: the file and everything stored about it, recorded in the audit log.

Deleting the ``data_files`` row deletes, through the schema's cascades and triggers, its jobs and
their trackers, results, findings and scores, its transactions and rejected rows, and its verdicts.
The audit log has no foreign keys and is append-only: its rows about the file stay, and one more
row records the deletion with what was removed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, delete, func, or_, select

from fintrace_pipeline.db.schema import data_files, file_processing_jobs, verdicts
from fintrace_pipeline.persistence import audit
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.persistence.records import DataFile
from fintrace_pipeline.status import RUNNING


class FileNotFound(LookupError):
    pass


class FileInUse(RuntimeError):
    """The file has a job whose run is writing its results now."""


@dataclass(frozen=True)
class RemovedRows:
    data_file: DataFile
    jobs: int
    verdicts: int
    archive_shared: bool  # another data file refers to the same archived bytes


def deletable_file(connection: Connection, data_file_id: uuid.UUID) -> tuple[DataFile, dict[str, int]]:
    """The file and its job counts by status; ``FileNotFound`` or ``FileInUse`` when it cannot be deleted."""
    data_file = get_data_file(connection, data_file_id)
    if data_file is None:
        raise FileNotFound(f"no data file has id {data_file_id}")
    job_counts = dict(
        connection.execute(
            select(file_processing_jobs.c.status, func.count())
            .where(file_processing_jobs.c.data_file_id == data_file_id)
            .group_by(file_processing_jobs.c.status)
        ).all()
    )
    if job_counts.get(RUNNING):
        raise FileInUse(
            f"data file {data_file_id} ({data_file.file_name}) is being processed now; "
            "cancel its run in the Dagster UI or wait for it to end, then delete it"
        )
    return data_file, job_counts


def delete_file_rows(engine: Engine, data_file_id: uuid.UUID, actor: str) -> RemovedRows:
    """Delete the file's rows in one transaction with the audit row that records it."""
    with engine.begin() as connection:
        data_file, job_counts = deletable_file(connection, data_file_id)
        verdict_count = connection.execute(
            select(func.count()).select_from(verdicts).where(verdicts.c.data_file_id == data_file_id)
        ).scalar_one()
        same_bytes = or_(
            data_files.c.sha256 == data_file.sha256,
            and_(data_files.c.stored_path.is_not(None), data_files.c.stored_path == data_file.stored_path),
        )
        shared = connection.execute(
            select(func.count()).select_from(data_files).where(data_files.c.id != data_file_id, same_bytes)
        ).scalar_one()
        connection.execute(delete(data_files).where(data_files.c.id == data_file_id))
        removed = RemovedRows(data_file, sum(job_counts.values()), verdict_count, bool(shared))
        audit.record(connection, _audit_entry(actor, removed))
    return removed


def _audit_entry(actor: str, removed: RemovedRows) -> audit.AuditEntry:
    data_file = removed.data_file
    before = {
        "file_name": data_file.file_name,
        "source": data_file.source,
        "sha256": data_file.sha256,
        "size_bytes": data_file.size_bytes,
        "received_via": data_file.received_via,
        "rows_loaded": data_file.rows_loaded,
        "jobs": removed.jobs,
        "verdicts": removed.verdicts,
        "stored_path": data_file.stored_path,
    }
    after = {"archive_kept": removed.archive_shared}
    return audit.AuditEntry(actor, audit.FILE_DELETE, "data_file", str(data_file.id), before, after)
