"""Run-status sensors: every run of this code location (sensor, upload, UI launchpad, backfill) ends
with its processing job closed, so a progress poller always reaches a terminal state."""

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunStatusSensorContext,
    run_failure_sensor,
    run_status_sensor,
)
from dagster._core.storage.tags import WILL_RETRY_TAG

from fintrace_pipeline.defs.finalize import finalize_run
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.defs.sensors.inbox import INTERVAL_SECONDS

SENSOR_OPTIONS = {"default_status": DefaultSensorStatus.RUNNING, "minimum_interval_seconds": INTERVAL_SECONDS}


def _close(context: RunStatusSensorContext, results_db: ResultsDatabase, **outcome) -> None:
    run = context.dagster_run
    finalize_run(results_db.get_engine(), run.run_id, run.tags, **outcome)


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    description="Marks the processing job of a successful run COMPLETED.",
    **SENSOR_OPTIONS,
)
def job_completed_sensor(context: RunStatusSensorContext, results_db: ResultsDatabase):
    _close(context, results_db, success=True)


@run_failure_sensor(
    description="Marks the processing job of a failed run FAILED with the failing step's error.",
    **SENSOR_OPTIONS,
)
def job_failed_sensor(context: RunFailureSensorContext, results_db: ResultsDatabase):
    if context.dagster_run.tags.get(WILL_RETRY_TAG) == "true":
        # Run retries start this run again under the same job (its tags are copied), which that
        # run closes; closing it now would end the job before its retry has run.
        context.log.info(f"run {context.dagster_run.run_id} will be retried: its job stays open")
        return
    message = context.failure_event.message if context.failure_event else None
    _close(context, results_db, success=False, error_message=message)


@run_status_sensor(
    run_status=DagsterRunStatus.CANCELED,
    description="Marks the processing job of a canceled run CANCELED.",
    **SENSOR_OPTIONS,
)
def job_canceled_sensor(context: RunStatusSensorContext, results_db: ResultsDatabase):
    _close(context, results_db, success=False, error_message="The run was canceled.", canceled=True)
