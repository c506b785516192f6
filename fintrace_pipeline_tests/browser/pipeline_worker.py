"""Stands in for the Dagster daemon in browser tests: takes complete files from the inbox the way the
inbox sensor and the registration job do (same scan, claim, registration and queue of waiting jobs)
and runs each waiting job in this process.
The daemon path itself is covered by the end-to-end tests; here the page is under test.

    python -m fintrace_pipeline_tests.browser.pipeline_worker   (environment as for `fintrace`)
"""

from __future__ import annotations

import time

from dagster import DagsterInstance

from fintrace_pipeline import inbox
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.inbox_registration import register_claimed
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
            inbox.claim(settings.inbox_dir, path)
        register_claimed(engine, settings, limit=5)
        with engine.connect() as connection:
            waiting = jobs.waiting_for_a_run(connection, limit=5)
        for job_id, _, _ in waiting:
            with engine.connect() as connection:
                job = jobs.get_job(connection, job_id)
            run_registered_job(settings, job, trigger="inbox", instance=instance)
        time.sleep(TICK_SECONDS)


if __name__ == "__main__":
    main()
