from dagster import AssetSelection, Definitions, define_asset_job, multiprocess_executor

from fintrace_pipeline.defs.partitions import ASSET_GROUP, data_file_partitions

# Steps run in parallel processes forked from a server that has already imported the pipeline, so a
# step starts in well under a second instead of re-importing pandas and Dagster (the ML step imports
# scikit-learn itself, so the server, started before ingest, boots faster).
PRELOADED = [f"fintrace_pipeline.defs.assets.{name}" for name in ("ingest", "analytics", "ml")]
step_executor = multiprocess_executor.configured(
    {
        "max_concurrent": 2,
        "start_method": {"forkserver": {"preload_modules": PRELOADED}},
    },
    name="fintrace_step_executor",
)

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
