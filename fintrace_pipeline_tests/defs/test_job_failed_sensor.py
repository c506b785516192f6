"""A failed run that Dagster's run retries will start again leaves its job open for the retry to close;
one that will not be retried closes its job FAILED with the step's reason."""

from __future__ import annotations

import uuid

from dagster import build_run_status_sensor_context
from dagster._core.storage.tags import WILL_RETRY_TAG

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.defs.partitions import JOB_ID_TAG
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.defs.sensors.run_status import job_failed_sensor
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.settings import get_settings


def _evaluate(instance, run_id, failure_event):
    context = build_run_status_sensor_context(
        sensor_name=job_failed_sensor.name,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run_id),
        dagster_event=failure_event,
    ).for_run_failure()
    job_failed_sensor(context, results_db=ResultsDatabase(url=get_settings().database_url))


def test_a_run_that_will_be_retried_keeps_its_job_open_until_the_last_attempt(failed_run):
    instance, run, failure_event, summary = failed_run
    engine = get_engine(get_settings().database_url)
    job = jobs.create_job(engine, uuid.UUID(summary["data_file_id"]), trigger="inbox")
    jobs.mark_running(engine, job.id, run.run_id)
    instance.add_run_tags(run.run_id, {JOB_ID_TAG: str(job.id), WILL_RETRY_TAG: "true"})

    _evaluate(instance, run.run_id, failure_event)
    with engine.connect() as connection:
        assert jobs.get_job(connection, job.id).status == "RUNNING"

    instance.add_run_tags(run.run_id, {WILL_RETRY_TAG: "false"})  # the last attempt
    _evaluate(instance, run.run_id, failure_event)
    with engine.connect() as connection:
        closed = jobs.get_job(connection, job.id)
    assert closed.status == "FAILED"
    # This job's tracker recorded no step error: the run's failure message is the reason.
    assert closed.error_message == failure_event.message
    assert "Steps failed: ['ingest']" in closed.error_message
