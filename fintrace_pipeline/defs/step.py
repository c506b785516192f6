"""What every per-file asset does around its analysis: find the run's job, keep the tracker in step,
time and measure the step, and turn a failure into a message a person can read."""


import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, ResourceParam, asset
from sqlalchemy import Engine

from fintrace_pipeline.defs.checks import checks_of
from fintrace_pipeline.defs.partitions import ASSET_GROUP, JOB_ID_TAG, TRIGGER_TAG, data_file_partitions
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.defs.retries import STEP_RETRY_POLICY, final_failure, is_transient
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.persistence import jobs, tracker
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.persistence.records import DataFile, ProcessingJob
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.stages import OWNERS, STAGE_BY_NAME, Stage
from fintrace_pipeline.status import COMPLETED, FAILED, RUNNING


@dataclass(frozen=True)
class StepContext:
    """What a step's body reads: the database, the run's job, the file's row and the settings."""

    engine: Engine
    job: ProcessingJob
    data_file: DataFile
    settings: Settings
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        """Seconds since the step started."""
        return round(time.perf_counter() - self.started, 3)

    def file_options(self) -> dict:
        """This file's own choices for the analyses: its country and threshold overrides."""
        options = dict(self.data_file.analysis_options or {})
        if self.data_file.country:
            options["country"] = self.data_file.country
        return options

    def saver(self) -> AnalyticsDBSaver:
        """The saver for this step's results, stamping them with the step's time when they carry none."""
        return AnalyticsDBSaver(self.job, self.engine, elapsed=self.elapsed)


@dataclass
class StepOutput:
    status: str  # the step's final status (COMPLETED or SKIPPED)
    details: dict  # what the tracker keeps for the step
    metadata: dict  # what the Dagster UI shows for the materialization
    checks: list = field(default_factory=list)  # AssetCheckResults for the asset's check specs


def result_details(result: AnalysisResult, **more: object) -> dict:
    """What the tracker keeps of an analysis step: its summary, what it skipped and any note."""
    details = {k: v for k, v in result.summary.items() if v is not None}
    details.update(more)
    if result.skipped:
        details["skipped_checks"] = result.skipped
    if result.error_message:
        details["note"] = result.error_message
    return details


class StepFailed(Exception):
    """A step failed for a reason the user can act on; the message is shown as it is."""


def resolve_job(engine: Engine, context: AssetExecutionContext) -> ProcessingJob:
    """The processing job of this run: named by the run's tag (sensor, upload, CLI) or, for runs
    launched from the Dagster UI or a backfill, found by run id or created on first use."""
    data_file_id = uuid.UUID(context.partition_key)
    run = context.run
    with engine.connect() as connection:
        if get_data_file(connection, data_file_id) is None:
            raise final_failure(f"No registered data file has id {data_file_id}.")
        tagged = run.tags.get(JOB_ID_TAG)
        job = jobs.get_job(connection, uuid.UUID(tagged)) if tagged else jobs.job_for_run(connection, run.run_id)
    if job is None:
        trigger = run.tags.get(TRIGGER_TAG) or ("backfill" if "dagster/backfill" in run.tags else "dagster")
        job = jobs.create_job(engine, data_file_id, trigger=trigger, dagster_run_id=run.run_id)
    jobs.mark_running(engine, job.id, run.run_id)
    return job


def run_step(
    context: AssetExecutionContext,
    engine: Engine,
    settings: Settings,
    step_name: str,
    body: Callable[[StepContext], StepOutput],
) -> MaterializeResult:
    """Run ``body`` as step ``step_name`` of the run's job."""
    job = resolve_job(engine, context)
    with engine.connect() as connection:
        data_file = get_data_file(connection, job.data_file_id)
    meter = tracker.StepMeter()
    tracker.update_step(engine, job.id, step_name, status=RUNNING, progress=0.0, started_at=utcnow().isoformat())
    try:
        output = body(StepContext(engine, job, data_file, settings))
    except StepFailed as exc:
        _record_failure(engine, job, step_name, meter, str(exc))
        raise final_failure(str(exc)) from None
    except Exception as exc:
        message = f"{STAGE_BY_NAME[step_name].label} failed: {type(exc).__name__}: {exc}"
        if is_transient(exc) and context.retry_number < STEP_RETRY_POLICY.max_retries:
            # The retry policy runs the step again; the tracker keeps it RUNNING meanwhile.
            context.log.warning(f"{message} (attempt {context.retry_number + 1}; retrying)")
            raise
        _record_failure(engine, job, step_name, meter, message)
        if is_transient(exc):
            raise  # retries exhausted: the database's own error, as it came
        raise final_failure(message) from exc
    readings = meter.readings()
    all_steps_done = tracker.update_step(
        engine,
        job.id,
        step_name,
        status=output.status,
        progress=100.0,
        completed_at=utcnow().isoformat(),
        details=output.details,
        **readings,
    )
    if all_steps_done:
        # The job is complete once its last step has stored its results: closing it here spares
        # pollers the wait for the run-status sensor, which still closes jobs whose runs fail.
        jobs.finish_job(engine, job.id, COMPLETED)
    return MaterializeResult(
        metadata={"job_id": str(job.id), "status": output.status, **readings, **output.metadata},
        check_results=output.checks,
    )


def _record_failure(engine: Engine, job: ProcessingJob, step_name: str, meter, message: str) -> None:
    tracker.update_step(engine, job.id, step_name, status=FAILED, error=message, **meter.readings())


# Dagster's executors start ready steps with a higher value of this op tag first.
PRIORITY_TAG = "dagster/priority"


def stage_asset(stage: Stage, body: Callable[[StepContext], StepOutput], deps=()) -> AssetsDefinition:
    """The per-file asset of a registered stage: ``body`` run by ``run_step`` with the stage's checks."""

    @asset(
        name=stage.name,
        deps=list(deps),
        partitions_def=data_file_partitions,
        group_name=ASSET_GROUP,
        check_specs=[check.spec(stage.name) for check in checks_of(stage)],
        description=stage.description,
        owners=list(OWNERS),
        retry_policy=STEP_RETRY_POLICY,
        kinds=set(stage.kinds),
        code_version=stage.code_version,
        # The ML step waits for these stages' findings, so they start first when cores are few.
        op_tags={PRIORITY_TAG: "1"} if stage.feeds_ml else None,
    )
    def _asset(context: AssetExecutionContext, results_db: ResultsDatabase, settings: ResourceParam[Settings]):
        return run_step(context, results_db.get_engine(), settings, stage.name, body)

    return _asset
