"""The inbox sensor: every complete file dropped into the inbox becomes a data file, a dynamic
partition and one run of the per-file job.

A tick does only what costs the same for a file of any size, so it ends in a fraction of a second
however many or large the files waiting are:

1. claims complete files (a rename into the intake folder; see ``inbox``);
2. requests a ``register_inbox`` run while claimed files wait and none is under way (that run
   hashes, archives and registers them, and gives each new file a PENDING job);
3. requests the runs of the oldest PENDING jobs (registered inbox files and uploads) no run is known
   for yet, a bounded batch per tick, and records the runs Dagster created for earlier requests.

Each run request's key is its job's id, so a request repeated after the daemon stopped between
requesting and recording never starts a second run; the database, not the cursor, holds the queue.
"""

from __future__ import annotations

import uuid

from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    DefaultSensorStatus,
    ResourceParam,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from sqlalchemy import Engine

from fintrace_pipeline import inbox
from fintrace_pipeline.defs.jobs import process_file_job
from fintrace_pipeline.defs.partitions import JOB_ID_TAG, TRIGGER_TAG, data_file_partitions
from fintrace_pipeline.defs.registration import register_inbox
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.settings import Settings

# The daemon looks at sensors every 5 s; an interval below that lets every look evaluate the sensor
# (at exactly 5 s, timing jitter skips every other look and ticks come 10 s apart).
INTERVAL_SECONDS = 2
# Files claimed per tick: a claim is one rename, so this bounds only the tick's directory work.
MAX_CLAIMS_PER_TICK = 2_000
UNFINISHED = [
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def registration_under_way(instance: DagsterInstance) -> bool:
    return bool(instance.get_run_ids(RunsFilter(job_name=register_inbox.name, statuses=UNFINISHED), limit=1))


def runs_of_jobs(instance: DagsterInstance, job_ids: list[str]) -> dict[uuid.UUID, str]:
    """The Dagster run already created for each of these jobs, if any (by the run's job-id tag)."""
    if not job_ids:
        return {}
    runs = instance.get_run_records(RunsFilter(tags={JOB_ID_TAG: job_ids}))
    return {uuid.UUID(record.dagster_run.tags[JOB_ID_TAG]): record.dagster_run.run_id for record in runs}


def file_run_requests(
    engine: Engine, instance: DagsterInstance, limit: int
) -> tuple[list[RunRequest], list[str]]:
    """Run requests for up to ``limit`` waiting jobs, and their partitions."""
    with engine.connect() as connection:
        # Twice the batch: the first half may be jobs whose runs were requested by the last tick.
        waiting = jobs.waiting_for_a_run(connection, 2 * limit)
    found = runs_of_jobs(instance, [str(job_id) for job_id, _, _ in waiting])
    jobs.link_runs(engine, found)
    requests, partitions = [], []
    for job_id, data_file_id, file_name in waiting:
        if job_id in found or len(requests) == limit:
            continue
        partitions.append(str(data_file_id))
        requests.append(
            RunRequest(
                run_key=str(job_id),
                job_name=process_file_job.name,
                partition_key=str(data_file_id),
                tags={JOB_ID_TAG: str(job_id), TRIGGER_TAG: "inbox", "fintrace/file_name": file_name[:200]},
            )
        )
    return requests, partitions


@sensor(
    jobs=[process_file_job, register_inbox],
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Takes complete files dropped into the inbox folder (FINTRACE_INBOX) and starts one run per "
    "new file (and per upload).",
)
def inbox_sensor(context: SensorEvaluationContext, results_db: ResultsDatabase, settings: ResourceParam[Settings]):
    state = inbox.InboxState.from_cursor(context.cursor)
    ready, state = inbox.scan(settings.inbox_dir, state, MAX_CLAIMS_PER_TICK)
    for path in ready:
        inbox.claim(settings.inbox_dir, path)
    run_requests = []
    if (ready or inbox.has_claimed_files(settings.inbox_dir)) and not registration_under_way(context.instance):
        run_requests.append(RunRequest(job_name=register_inbox.name))
    file_requests, partitions = file_run_requests(
        results_db.get_engine(), context.instance, settings.sensor_max_files_per_tick
    )
    run_requests += file_requests
    if not run_requests:
        return SensorResult(skip_reason=SkipReason("no complete new file in the inbox"), cursor=state.to_cursor())
    if ready:
        context.log.info(f"claimed {len(ready)} files for registration")
    return SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[data_file_partitions.build_add_request(list(dict.fromkeys(partitions)))]
        if partitions
        else [],
        cursor=state.to_cursor(),
    )
