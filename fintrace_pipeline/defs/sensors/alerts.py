"""Alerting: every failed run of this code location is reported to FINTRACE_ALERT_WEBHOOK and/or by mail
(FINTRACE_ALERT_SMTP_*) with its file, run id, failed step and error."""

from __future__ import annotations

import uuid

from dagster import ResourceParam, RunFailureSensorContext, SkipReason, run_failure_sensor
from dagster._core.storage.tags import PARTITION_NAME_TAG, WILL_RETRY_TAG

from fintrace_pipeline.alerts import AlertNotSent, RunFailureAlert, send_alert
from fintrace_pipeline.defs.finalize import job_of_run
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.defs.sensors.run_status import SENSOR_OPTIONS
from fintrace_pipeline.persistence import tracker
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.settings import Settings

FILE_NAME_TAG = "fintrace/file_name"


def _step_error_from_tracker(results_db: ResultsDatabase, run) -> tuple[str, str] | None:
    """The first failed step and its message as the job's tracker recorded them (what a person reads)."""
    engine = results_db.get_engine()
    job = job_of_run(engine, run.run_id, run.tags)
    if job is None:
        return None
    with engine.connect() as connection:
        row = tracker.get_tracker(connection, job.id)
    failed = [e for e in (row.error_log or []) if e.get("error")] if row else []
    return (failed[-1].get("step"), failed[-1]["error"]) if failed else None


def _step_error_from_events(context: RunFailureSensorContext) -> tuple[str | None, str | None]:
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        error = data.user_failure_data.description if data.user_failure_data else None
        return event.step_key, error or (data.error.message.strip() if data.error else event.message)
    return None, None


def _run_error(context: RunFailureSensorContext) -> str:
    event = context.failure_event
    data = getattr(event, "event_specific_data", None) if event else None
    error = getattr(data, "error", None)
    if error is not None:
        return error.message.strip()
    return (event.message if event else None) or "The run failed."


def build_alert(context: RunFailureSensorContext, results_db: ResultsDatabase) -> RunFailureAlert:
    run = context.dagster_run
    data_file_id = run.tags.get(PARTITION_NAME_TAG)
    file_name = run.tags.get(FILE_NAME_TAG)
    if data_file_id and not file_name:
        with results_db.get_engine().connect() as connection:
            data_file = get_data_file(connection, uuid.UUID(data_file_id))
        file_name = data_file.file_name if data_file else None
    step, error = _step_error_from_tracker(results_db, run) or _step_error_from_events(context)
    return RunFailureAlert(
        run_id=run.run_id,
        job_name=run.job_name,
        file_name=file_name,
        data_file_id=data_file_id,
        failed_step=step,
        error=error or _run_error(context),
        will_retry=run.tags.get(WILL_RETRY_TAG) == "true",
    )


@run_failure_sensor(
    description="Reports every failed run to FINTRACE_ALERT_WEBHOOK and/or by mail (FINTRACE_ALERT_SMTP_*).",
    **SENSOR_OPTIONS,
)
def alert_on_failure_sensor(
    context: RunFailureSensorContext, results_db: ResultsDatabase, settings: ResourceParam[Settings]
):
    if not (settings.alerts.webhook or settings.alerts.mail):
        return SkipReason("no alert channel configured (FINTRACE_ALERT_WEBHOOK, FINTRACE_ALERT_SMTP_HOST/_TO)")
    alert = build_alert(context, results_db)
    try:
        sent = send_alert(settings.alerts, alert)
    except AlertNotSent as exc:
        # Logged on the tick rather than raised: a raised error would send the same alert again on
        # every tick to the channels that work.
        context.log.error(f"alert for run {alert.run_id} not delivered: {exc}")
        return None
    context.log.info(f"alert for run {alert.run_id} sent by {', '.join(sent)}")
    return None
