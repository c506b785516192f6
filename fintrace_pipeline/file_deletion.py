"""Deleting a data file everywhere it lives: its Dagster partition, its rows (with the audit row that
records the deletion), its snapshot, and its archived original unless another file refers to the
same bytes. The Dagster UI keeps the file's past runs; the inbox's ``processed`` folder keeps the
copy that was dropped there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance
from sqlalchemy import Engine

from fintrace_pipeline.defs.partitions import remove_partitions
from fintrace_pipeline.persistence.file_deletion import deletable_file, delete_file_rows
from fintrace_pipeline.persistence.snapshots import remove_snapshot
from fintrace_pipeline.settings import Settings


@dataclass(frozen=True)
class DeletedFile:
    data_file_id: uuid.UUID
    file_name: str
    jobs: int
    verdicts: int
    partition_removed: bool
    archive_removed: bool
    archive_path: str | None

    def answer(self) -> dict:
        return {
            "data_file_id": str(self.data_file_id),
            "file_name": self.file_name,
            "jobs_deleted": self.jobs,
            "verdicts_deleted": self.verdicts,
            "partition_removed": self.partition_removed,
            "archive_removed": self.archive_removed,
        }

    def describe(self) -> str:
        archive = (
            "archived original removed"
            if self.archive_removed
            else "archived original kept (another file refers to the same bytes)"
            if self.archive_path
            else "no archived original"
        )
        return (
            f"deleted {self.file_name} (data file {self.data_file_id}): {self.jobs} jobs and their results, "
            f"{self.verdicts} verdicts, {'its' if self.partition_removed else 'no'} Dagster partition; {archive}"
        )


def delete_file(
    engine: Engine, instance: DagsterInstance, settings: Settings, data_file_id: uuid.UUID, actor: str
) -> DeletedFile:
    """Delete the file. The partition goes first, so a failure leaves at worst a file without a
    partition, which a backfill or the inbox sensor adds back when the file is run again."""
    with engine.connect() as connection:
        deletable_file(connection, data_file_id)  # refuses before anything is removed
    partition_removed = remove_partitions(instance, [str(data_file_id)]) == 1
    removed = delete_file_rows(engine, data_file_id, actor)
    remove_snapshot(settings.shared_root, data_file_id)
    stored = removed.data_file.stored_path
    archive_removed = False
    if stored and not removed.archive_shared:
        path = Path(stored)
        archive_removed = path.is_file()
        path.unlink(missing_ok=True)
    return DeletedFile(
        data_file_id,
        removed.data_file.file_name,
        removed.jobs,
        removed.verdicts,
        partition_removed,
        archive_removed,
        stored,
    )
