"""The per-file partitions and the run tags that tie a Dagster run to its processing job."""

from dagster import DynamicPartitionsDefinition

# One partition per registered file; the key is its data_files.id.
data_file_partitions = DynamicPartitionsDefinition(name="data_files")

# Every per-file asset is in this group; the per-file job selects it.
ASSET_GROUP = "fintrace"

# One partition per source (its name) for what is learned across a source's files.
source_partitions = DynamicPartitionsDefinition(name="sources")
LEARNING_GROUP = "learning"

JOB_ID_TAG = "fintrace/job_id"
TRIGGER_TAG = "fintrace/trigger"
