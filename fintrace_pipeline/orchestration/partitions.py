from dagster import DynamicPartitionsDefinition

# One partition per registered file; the key is its data_files.id.
data_file_partitions = DynamicPartitionsDefinition(name="data_files")

JOB_ID_TAG = "fintrace/job_id"
TRIGGER_TAG = "fintrace/trigger"
