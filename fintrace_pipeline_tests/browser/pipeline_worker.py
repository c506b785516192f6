"""Stands in for the Dagster daemon in browser tests: takes complete files from the inbox the way the
inbox sensor does (same scan, registration and job choice) and runs each one's job in this process.
The daemon path itself is covered by the end-to-end tests; here the page is under test.

    python -m fintrace_pipeline_tests.browser.pipeline_worker   (environment as for `fintrace`)
"""

from __future__ import annotations

import time
import uuid

from dagster import DagsterInstance

from fintrace_pipeline import inbox
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.defs.sensors.inbox import job_to_launch
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.runtime.process import run_registered_job
from fintrace_pipeline.settings import get_settings

TICK_SECONDS = 0.5


def main() -> None:
    settings = get_settings()
    engine = get_engine(settings.database_url)
    instance = DagsterInstance.ephemeral()
    state = inbox.InboxState()
    while True:
        ready, state = inbox.scan(settings.inbox_dir, state, limit=5)
        for path in ready:
            launch = job_to_launch(engine, path, settings)
            inbox.move_to_processed(path)
            if launch is None:
                continue
            with engine.connect() as connection:
                job = jobs.get_job(connection, uuid.UUID(launch[1]))
            run_registered_job(settings, job, trigger="inbox", instance=instance)
        time.sleep(TICK_SECONDS)


if __name__ == "__main__":
    main()
