"""The per-file partitions and the run tags that tie a Dagster run to its processing job."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from dagster import DagsterInstance, DynamicPartitionsDefinition

# One partition per registered file; the key is its data_files.id.
data_file_partitions = DynamicPartitionsDefinition(name="data_files")

# Every per-file asset is in this group; the per-file job selects it.
ASSET_GROUP = "fintrace"

# One partition per source (its name) for what is learned across a source's files.
source_partitions = DynamicPartitionsDefinition(name="sources")
LEARNING_GROUP = "learning"

JOB_ID_TAG = "fintrace/job_id"
TRIGGER_TAG = "fintrace/trigger"

# Partition keys per statement: Dagster's storage asks for them in one IN (...) list, which must stay
# well inside SQLite's limit on bound variables (32,766) and PostgreSQL's (65,535).
PARTITION_CHUNK = 1_000


def chunks(keys: Sequence[str], size: int = PARTITION_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def add_partitions(instance: DagsterInstance, keys: Iterable[str]) -> int:
    """Add the data files' partitions that are missing, a bounded chunk at a time; how many were added."""
    keys = list(dict.fromkeys(keys))
    added = 0
    for chunk in chunks(keys):
        existing = instance.get_existing_dynamic_partitions(data_file_partitions.name, chunk)
        missing = [key for key in chunk if key not in existing]
        if missing:
            instance.add_dynamic_partitions(data_file_partitions.name, missing)
            added += len(missing)
    return added


def remove_partitions(instance: DagsterInstance, keys: Iterable[str]) -> int:
    """Remove the data files' partitions that exist; how many were removed (Dagster deletes one per statement)."""
    keys = list(dict.fromkeys(keys))
    removed = 0
    for chunk in chunks(keys):
        for key in instance.get_existing_dynamic_partitions(data_file_partitions.name, chunk):
            instance.delete_dynamic_partition(data_file_partitions.name, key)
            removed += 1
    return removed
