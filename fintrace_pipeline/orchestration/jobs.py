from dagster import AssetSelection, define_asset_job, multiprocess_executor

from fintrace_pipeline.orchestration.partitions import data_file_partitions

ASSET_GROUP = "fintrace"

# Steps run in parallel processes forked from a server that has already imported the pipeline, so a
# step starts in well under a second instead of re-importing pandas and Dagster (the ML step imports
# scikit-learn itself, so the server, started before ingest, boots faster).
step_executor = multiprocess_executor.configured(
    {
        "max_concurrent": 2,
        "start_method": {"forkserver": {"preload_modules": ["fintrace_pipeline.orchestration.assets"]}},
    },
    name="fintrace_step_executor",
)

process_file_job = define_asset_job(
    "process_file",
    selection=AssetSelection.groups(ASSET_GROUP),
    partitions_def=data_file_partitions,
    executor_def=step_executor,
    description="All six per-file steps for one uploaded file (one partition).",
)
