"""The Dagster code location: assembles assets, job, sensors and resources; nothing else."""

from dagster import Definitions

from fintrace_pipeline.orchestration.assets import PER_FILE_ASSETS
from fintrace_pipeline.orchestration.inbox_sensor import inbox_sensor
from fintrace_pipeline.orchestration.jobs import process_file_job, step_executor
from fintrace_pipeline.orchestration.resources import ResultsDatabase
from fintrace_pipeline.orchestration.run_sensors import job_canceled_sensor, job_completed_sensor, job_failed_sensor
from fintrace_pipeline.settings import get_settings

defs = Definitions(
    assets=PER_FILE_ASSETS,
    jobs=[process_file_job],
    sensors=[inbox_sensor, job_completed_sensor, job_failed_sensor, job_canceled_sensor],
    executor=step_executor,  # also for runs launched from an asset page (the implicit asset job)
    resources={"results_db": ResultsDatabase(url=get_settings().database_url)},
)
