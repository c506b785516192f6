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

from fintrace_pipeline.defs.finalize import finalize_run
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.defs.sensors.inbox import INTERVAL_SECONDS


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=INTERVAL_SECONDS,
    description="Marks the processing job of a successful run COMPLETED.",
)
def job_completed_sensor(context: RunStatusSensorContext, results_db: ResultsDatabase):
    run = context.dagster_run
    finalize_run(results_db.get_engine(), run.run_id, run.tags, success=True)


@run_failure_sensor(
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=INTERVAL_SECONDS,
    description="Marks the processing job of a failed run FAILED with the failing step's error.",
)
def job_failed_sensor(context: RunFailureSensorContext, results_db: ResultsDatabase):
    run = context.dagster_run
    message = context.failure_event.message if context.failure_event else None
    finalize_run(results_db.get_engine(), run.run_id, run.tags, success=False, error_message=message)


@run_status_sensor(
    run_status=DagsterRunStatus.CANCELED,
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=INTERVAL_SECONDS,
    description="Marks the processing job of a canceled run CANCELED.",
)
def job_canceled_sensor(context: RunStatusSensorContext, results_db: ResultsDatabase):
    run = context.dagster_run
    finalize_run(
        results_db.get_engine(),
        run.run_id,
        run.tags,
        success=False,
        error_message="The run was canceled.",
        canceled=True,
    )
