"""Backfills handed to a real Dagster instance as the UI hands them over, launched by Dagster's own
backfill machinery, and shown by the UI's GraphQL API; partitions added and removed in chunks."""

import logging
import uuid
from datetime import datetime, timedelta

import pytest
from dagster import DagsterRunStatus, RunsFilter, instance_for_test
from dagster._core.execution.backfill import BulkActionStatus
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster_graphql.test.utils import execute_dagster_graphql
from sqlalchemy import insert

from fintrace_pipeline.db.schema import data_files
from fintrace_pipeline.defs.partitions import (
    PARTITION_CHUNK,
    TRIGGER_TAG,
    add_partitions,
    data_file_partitions,
    remove_partitions,
)
from fintrace_pipeline.runtime.backfill import WORKSPACE, partition_set_origin, select_files, submit_backfill

QUEUED_ONLY = {"run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}}


def register_many(engine, count: int) -> list[str]:
    start = datetime(2026, 1, 1)
    rows = [
        dict(
            id=uuid.uuid4(),
            file_name=f"f{i}.csv",
            sha256=f"{i:064x}",
            size_bytes=10,
            received_via="inbox",
            source="default",
            created_at=start + timedelta(seconds=i),
            updated_at=start,
        )
        for i in range(count)
    ]
    with engine.begin() as connection:
        connection.execute(insert(data_files), rows)
    return [str(r["id"]) for r in rows]


def test_partitions_are_added_and_removed_in_chunks_beyond_one_statements_limit():
    keys = [str(uuid.uuid4()) for _ in range(2 * PARTITION_CHUNK + 500)]
    with instance_for_test() as instance:
        assert add_partitions(instance, keys) == len(keys)
        assert add_partitions(instance, keys[:10] + [keys[0]]) == 0  # already there, a repeat is no new key
        assert list(instance.get_dynamic_partitions(data_file_partitions.name)) == keys
        assert remove_partitions(instance, keys[: PARTITION_CHUNK + 1] + ["not-a-partition"]) == PARTITION_CHUNK + 1
        assert list(instance.get_dynamic_partitions(data_file_partitions.name)) == keys[PARTITION_CHUNK + 1 :]


def test_select_files_oldest_first_and_refuses_unknown_ids(engine):
    ids = register_many(engine, 5)
    assert select_files(engine, file_ids=[], since=None, everything=True) == ids
    assert select_files(engine, file_ids=[ids[3], ids[1]], since=None, everything=False) == [ids[1], ids[3]]
    assert select_files(engine, file_ids=[], since=datetime(2026, 1, 1, 0, 0, 3), everything=False) == ids[3:]
    unknown = str(uuid.uuid4())
    with pytest.raises(ValueError, match=f"no registered data file has id {unknown}"):
        select_files(engine, file_ids=[ids[0], unknown], since=None, everything=False)
    with pytest.raises(ValueError, match="say which files"):
        select_files(engine, file_ids=[], since=None, everything=False)


BACKFILL_QUERY = """
query ($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status numPartitions partitionSetName tags { key value } }
  }
}
"""


def test_a_backfill_is_launched_by_dagsters_machinery_and_shown_in_the_ui(fintrace_env, engine):
    ids = register_many(engine, 60)
    with (
        instance_for_test(overrides=QUEUED_ONLY) as instance,
        WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(WORKSPACE)])) as workspace,
    ):
        # The origin read from workspace.yaml is the one the loaded code location serves.
        location = workspace.create_request_context().get_code_location("fintrace")
        sets = [p for r in location.get_repositories().values() for p in r.get_partition_sets()]
        [served] = [p for p in sets if p.job_name == "process_file"]
        assert partition_set_origin() == served.get_remote_origin()
        assert partition_set_origin().get_id() == served.get_remote_origin().get_id()
        submitted = submit_backfill(instance, ids)
        assert submitted.partitions == 60 and submitted.partitions_added == 60
        [backfill] = instance.get_backfills()
        assert backfill.status == BulkActionStatus.REQUESTED and list(backfill.partition_names) == ids
        context = workspace.create_request_context()
        answer = execute_dagster_graphql(context, BACKFILL_QUERY, {"id": backfill.backfill_id})
        shown = answer.data["partitionBackfillOrError"]
        assert shown["status"] == "REQUESTED" and shown["numPartitions"] == 60
        assert shown["partitionSetName"] == "process_file_partition_set"
        assert {"key": TRIGGER_TAG, "value": "backfill"} in shown["tags"]
        # One pass of the daemon's backfill loop: runs are submitted a checkpointed chunk at a time.
        list(execute_backfill_iteration(workspace, _logger()))
        runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": backfill.backfill_id}))
        assert sorted(r.tags["dagster/partition"] for r in runs) == sorted(ids)
        assert {r.status for r in runs} == {DagsterRunStatus.QUEUED}
        assert {r.tags[TRIGGER_TAG] for r in runs} == {"backfill"} and {r.job_name for r in runs} == {"process_file"}


def _logger():
    return logging.getLogger("fintrace.test.backfill")
