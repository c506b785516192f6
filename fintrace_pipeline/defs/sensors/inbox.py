"""The inbox sensor: every complete file dropped into the inbox becomes a data file, a dynamic
partition and one run of the per-file job."""

from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    ResourceParam,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from sqlalchemy import Engine

from fintrace_pipeline import inbox
from fintrace_pipeline.defs.jobs import process_file_job
from fintrace_pipeline.defs.partitions import JOB_ID_TAG, TRIGGER_TAG, data_file_partitions
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.status import PENDING

# The daemon looks at sensors every 5 s; an interval below that lets every look evaluate the sensor
# (at exactly 5 s, timing jitter skips every other look and ticks come 10 s apart).
INTERVAL_SECONDS = 2


def job_to_launch(engine: Engine, path: Path, settings: Settings) -> tuple[str, str] | None:
    """(data file id, job id) to run for a taken file, or None when its bytes were processed before.

    An upload registers its file and a PENDING job before it lands here; that job is the one run.
    A new file belongs to the source its folder names; a known one keeps the source it has.
    """
    data_file, created = register_file(
        engine,
        path,
        received_via="inbox",
        archive_dir=settings.archive_dir,
        source=inbox.source_of(settings.inbox_dir, path),
    )
    with engine.connect() as connection:
        job = jobs.latest_job(connection, data_file.id)
    if job is not None and job.status == PENDING and job.trigger == "upload" and job.dagster_run_id is None:
        return str(data_file.id), str(job.id)
    if not created and job is not None:
        return None
    job = jobs.create_job(engine, data_file.id, trigger="inbox")
    return str(data_file.id), str(job.id)


@sensor(
    job=process_file_job,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts one run per complete file dropped into the inbox folder (FINTRACE_INBOX).",
)
def inbox_sensor(context: SensorEvaluationContext, results_db: ResultsDatabase, settings: ResourceParam[Settings]):
    engine = results_db.get_engine()
    state = inbox.InboxState.from_cursor(context.cursor)
    ready, state = inbox.scan(settings.inbox_dir, state, settings.sensor_max_files_per_tick)
    if not ready:
        return SensorResult(skip_reason=SkipReason("no complete new file in the inbox"), cursor=state.to_cursor())
    partitions, run_requests = [], []
    for path in ready:
        launch = job_to_launch(engine, path, settings)
        moved = inbox.move_to_processed(path)
        if launch is None:
            context.log.info(f"{path.name}: identical to a file processed before; moved to {moved}")
            continue
        data_file_id, job_id = launch
        partitions.append(data_file_id)
        run_requests.append(
            RunRequest(
                run_key=job_id,
                partition_key=data_file_id,
                tags={JOB_ID_TAG: job_id, TRIGGER_TAG: "inbox", "fintrace/file_name": path.name},
            )
        )
    return SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[data_file_partitions.build_add_request(partitions)] if partitions else [],
        cursor=state.to_cursor(),
    )
