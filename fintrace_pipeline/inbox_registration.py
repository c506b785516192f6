"""Registering the inbox's claimed files: the heavy half of taking a file, out of the sensor's tick.

Each claimed file is hashed and archived and gets its data file and a PENDING job (trigger
``inbox``), then moves on to ``processed/``; the inbox sensor then requests the job's run. A file
whose bytes were registered before gets no second job: an upload's file already has its own, and a
copy of a processed file is not processed again. Every step can be repeated: a file registered and
given its job just before a process stopped is recognised by its sha256 the next time and only
moved on, so a file is never registered, or given a job, twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from fintrace_pipeline import inbox
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Registration:
    new_jobs: list[str] = field(default_factory=list)  # job ids created, oldest file first
    known: list[str] = field(default_factory=list)  # names of files whose bytes were registered before
    failed: dict[str, str] = field(default_factory=dict)  # name -> why it stays claimed for the next attempt

    def describe(self) -> str:
        parts = [f"{len(self.new_jobs)} files registered", f"{len(self.known)} known already"]
        if self.failed:
            parts.append(f"{len(self.failed)} left for the next attempt")
        return ", ".join(parts)


def register_one(engine: Engine, settings: Settings, claimed: Path) -> str | None:
    """Register one claimed file; the id of the job it was given, or None when its bytes were known."""
    data_file, created = register_file(
        engine,
        claimed,
        received_via="inbox",
        archive_dir=settings.archive_dir,
        source=inbox.source_of(inbox.intake_dir(settings.inbox_dir), claimed),
    )
    job_id = None
    with engine.connect() as connection:
        has_job = jobs.latest_job(connection, data_file.id) is not None
    if created or not has_job:
        job_id = str(jobs.create_job(engine, data_file.id, trigger="inbox").id)
    inbox.move_to_processed(claimed, inbox.origin_folder(settings.inbox_dir, claimed))
    return job_id


def register_claimed(engine: Engine, settings: Settings, limit: int) -> Registration:
    """Register up to ``limit`` claimed files, oldest first."""
    done = Registration()
    for claimed in inbox.claimed_files(settings.inbox_dir, limit):
        try:
            job_id = register_one(engine, settings, claimed)
        except OSError as exc:  # unreadable, or gone: it stays claimed (or is gone) and others go on
            done.failed[claimed.name] = str(exc)
            log.warning("%s could not be registered: %s", claimed, exc)
            continue
        if job_id is None:
            done.known.append(claimed.name)
        else:
            done.new_jobs.append(job_id)
    return done
