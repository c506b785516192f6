"""Re-processing historical files: a Dagster backfill of the per-file job over chosen partitions.

The backfill is handed to the instance as Dagster's UI hands one over (a requested
``PartitionBackfill`` of the job's partition set); the daemon's backfill machinery then launches its
runs a checkpointed chunk at a time, so a backfill over any number of files is submitted in seconds
and shows in the UI's Backfills and partition views like one launched there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from dagster import DagsterInstance
from dagster._core.definitions.repository_definition.valid_definitions import SINGLETON_REPOSITORY_NAME
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.remote_origin import RemotePartitionSetOrigin, RemoteRepositoryOrigin
from dagster._core.remote_representation.external_data import partition_set_snap_name_for_job_name
from dagster._core.utils import make_new_backfill_id
from dagster._core.workspace.load import location_origins_from_yaml_paths
from dagster._time import get_current_timestamp
from sqlalchemy import Engine, select

from fintrace_pipeline.db.schema import data_files, history_files
from fintrace_pipeline.defs.jobs import process_file_job
from fintrace_pipeline.defs.partitions import TRIGGER_TAG, add_partitions
from fintrace_pipeline.runtime.instance import get_instance
from fintrace_pipeline.settings import PROJECT_ROOT, Settings

WORKSPACE = PROJECT_ROOT / "workspace.yaml"
LOCATION_NAME = "fintrace"
# Named file ids are looked up this many at a time (bounded IN lists on both databases).
_ID_CHUNK = 1_000
# Runs of a backfill carry this tag; the instance runs one of them at a time (dagster.yaml), so each
# file's comparison with its source's earlier files sees every earlier file's share already stored.
TIME_ORDER_TAG = "fintrace/time_order"


def select_files(engine: Engine, *, file_ids: list[str], since: datetime | None, everything: bool) -> list[str]:
    """The chosen files' ids, oldest data first within each source (the order their runs are launched
    in): by the first posting date a file's last processing recorded, then (for files never processed)
    by when the file was registered."""
    if not (file_ids or since is not None or everything):
        raise ValueError("say which files: --all, --file-id ID or --since DATE")
    try:
        wanted = [uuid.UUID(f) for f in file_ids]
    except ValueError:
        raise ValueError(f"a data file id is a UUID; got {', '.join(file_ids)}") from None
    period = history_files.c.period_start
    query = (
        select(data_files.c.id)
        .outerjoin(history_files, history_files.c.data_file_id == data_files.c.id)
        .order_by(data_files.c.source, period.is_(None), period, data_files.c.created_at, data_files.c.id)
    )
    with engine.connect() as connection:
        if wanted:
            found = []
            for start in range(0, len(wanted), _ID_CHUNK):
                chunk = wanted[start : start + _ID_CHUNK]
                found += [str(i) for i in connection.execute(query.where(data_files.c.id.in_(chunk))).scalars()]
        else:
            if since is not None:
                query = query.where(data_files.c.created_at >= since)
            found = [str(i) for i in connection.execute(query).scalars()]
    missing = {str(w) for w in wanted} - set(found)
    if missing:
        raise ValueError(f"no registered data file has id {', '.join(sorted(missing))}")
    return found


def partition_set_origin() -> RemotePartitionSetOrigin:
    """The per-file job's partition set as the workspace's code location serves it, named the way
    Dagster names it; read from workspace.yaml without starting the code location (the daemon
    finds the partition set by these names when it launches the runs)."""
    origins = {origin.location_name: origin for origin in location_origins_from_yaml_paths([str(WORKSPACE)])}
    if LOCATION_NAME not in origins:
        raise RuntimeError(f"{WORKSPACE} names no code location {LOCATION_NAME!r}")
    repository = RemoteRepositoryOrigin(
        code_location_origin=origins[LOCATION_NAME], repository_name=SINGLETON_REPOSITORY_NAME
    )
    return RemotePartitionSetOrigin(
        repository_origin=repository, partition_set_name=partition_set_snap_name_for_job_name(process_file_job.name)
    )


@dataclass(frozen=True)
class Submitted:
    backfill_id: str
    partitions: int
    partitions_added: int

    def describe(self) -> str:
        added = f" ({self.partitions_added:,} partitions added)" if self.partitions_added else ""
        return (
            f"backfill {self.backfill_id} submitted: {self.partitions:,} files of job {process_file_job.name}{added}; "
            "the Dagster daemon launches its runs (see Backfills in the Dagster UI)"
        )


def submit_backfill(
    instance: DagsterInstance, partitions: list[str], origin: RemotePartitionSetOrigin | None = None
) -> Submitted:
    """Add the files' partitions (files registered outside Dagster have none yet) and request a backfill of them."""
    if not partitions:
        raise ValueError("a backfill needs at least one file")
    added = add_partitions(instance, partitions)
    backfill = PartitionBackfill(
        backfill_id=make_new_backfill_id(),
        partition_set_origin=origin or partition_set_origin(),
        status=BulkActionStatus.REQUESTED,
        partition_names=partitions,
        from_failure=False,
        reexecution_steps=None,
        tags={TRIGGER_TAG: "backfill", TIME_ORDER_TAG: "oldest_first"},
        backfill_timestamp=get_current_timestamp(),
        title=f"Re-process {len(partitions):,} files",
    )
    instance.add_backfill(backfill)
    return Submitted(backfill.backfill_id, len(partitions), added)


def launch_backfill(settings: Settings, partitions: list[str]) -> Submitted:
    """Submit a backfill of ``partitions`` to the instance at $DAGSTER_HOME."""
    with get_instance(settings) as instance:
        return submit_backfill(instance, partitions)
