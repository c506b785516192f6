from dagster import AssetSelection, Definitions, define_asset_job

from fintrace_pipeline.defs.executors import step_executor_for
from fintrace_pipeline.defs.partitions import ASSET_GROUP, data_file_partitions
from fintrace_pipeline.settings import get_settings

# Parallel processes on this machine, or Celery workers (FINTRACE_EXECUTOR=celery).
step_executor = step_executor_for(get_settings())

process_file_job = define_asset_job(
    "process_file",
    selection=AssetSelection.groups(ASSET_GROUP),
    partitions_def=data_file_partitions,
    executor_def=step_executor,
    description="Every per-file stage for one uploaded file (one partition).",
)


defs = Definitions(
    jobs=[process_file_job],
    executor=step_executor,  # also for runs launched from an asset page (the implicit asset job)
)
