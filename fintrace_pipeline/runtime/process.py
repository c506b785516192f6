"""Processing one file in-process: register it, add its partition, materialize the per-file assets
against the configured Dagster instance and database, and close the job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance, materialize

from fintrace_pipeline.analysis_choices import Choices
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.migrate import require_current_schema
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.defs.finalize import finalize_run
from fintrace_pipeline.defs.partitions import JOB_ID_TAG, TRIGGER_TAG, data_file_partitions
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import (
    register_file,
    require_source,
    set_analysis_choices,
    set_user_mapping,
)
from fintrace_pipeline.persistence.records import ProcessingJob
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline.runtime.instance import get_instance
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.sources import DEFAULT_SOURCE


@dataclass
class ProcessOutcome:
    data_file_id: uuid.UUID
    job_id: uuid.UUID
    run_id: str
    summary: dict


def process_file(
    path: Path,
    settings: Settings,
    *,
    user_mapping: dict[str, str] | None = None,
    choices: Choices | None = None,
    source: str | None = None,
    instance: DagsterInstance | None = None,
    log_level: str = "CRITICAL",
) -> ProcessOutcome:
    """``log_level`` is Dagster's console log level: the stored summary is what a CLI user reads.
    ``choices`` are the file's own calendar and limits (those not chosen are the configured ones).
    ``source``: the file's source when it is new (default: ``default``); a file registered before
    keeps its own, and naming another one is refused.
    """
    engine = get_engine(settings.database_url)
    require_current_schema(engine)
    choices = choices or Choices()
    country, options = choices.country, choices.options(set_by="file")
    data_file, _ = register_file(
        engine,
        path,
        received_via="cli",
        archive_dir=settings.archive_dir,
        source=source or DEFAULT_SOURCE,
        user_mapping=user_mapping,
        country=country,
        analysis_options=options,
    )
    require_source(data_file, source)
    if user_mapping is not None and user_mapping != data_file.user_mapping:
        # An explicit re-run: the new job ingests the same bytes with the mapping given now.
        set_user_mapping(engine, data_file.id, user_mapping)
    if choices != Choices() and (country, options or None) != (data_file.country, data_file.analysis_options):
        # Likewise for the calendar and limits given now: they replace the file's earlier ones.
        set_analysis_choices(engine, data_file.id, country, options)
    job = jobs.create_job(engine, data_file.id, trigger="cli")
    return run_registered_job(settings, job, trigger="cli", instance=instance, log_level=log_level)


def run_registered_job(
    settings: Settings,
    job: ProcessingJob,
    *,
    trigger: str,
    instance: DagsterInstance | None = None,
    log_level: str = "CRITICAL",
) -> ProcessOutcome:
    """Materialize the per-file assets in this process for a job already registered (PENDING)."""
    engine = get_engine(settings.database_url)
    instance = instance or get_instance(settings)
    partition = str(job.data_file_id)
    instance.add_dynamic_partitions(data_file_partitions.name, [partition])
    result = materialize(
        PER_FILE_ASSETS,
        partition_key=partition,
        instance=instance,
        resources=fintrace_resources(settings),
        tags={JOB_ID_TAG: str(job.id), TRIGGER_TAG: trigger},
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    run = result.dagster_run
    finalize_run(engine, run.run_id, run.tags, success=result.success, error_message="The run failed.")
    summary = AnalyticsDBSaver(job, engine).get_processing_summary()
    return ProcessOutcome(job.data_file_id, job.id, run.run_id, summary)
