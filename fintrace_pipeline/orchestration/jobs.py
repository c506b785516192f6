from dagster import AssetSelection, define_asset_job

from fintrace_pipeline.orchestration.partitions import data_file_partitions

ASSET_GROUP = "fintrace"

process_file_job = define_asset_job(
    "process_file",
    selection=AssetSelection.groups(ASSET_GROUP),
    partitions_def=data_file_partitions,
    description="All six per-file steps for one uploaded file (one partition).",
)
