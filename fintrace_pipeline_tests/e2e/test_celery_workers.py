"""Steps on two real Celery workers (real Redis, real PostgreSQL): twenty dropped files are each
processed once, and a worker killed in the middle of a step costs a run retry, not a file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
import uuid

import pytest
import redis
import yaml
from celery import Celery
from dagster import DagsterRunStatus, RunsFilter
from sqlalchemy import func, select

from fintrace_pipeline.db.schema import data_files, file_processing_jobs
from fintrace_pipeline.defs.jobs import process_file_job
from fintrace_pipeline.defs.partitions import JOB_ID_TAG
from fintrace_pipeline.defs.registration import register_inbox
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.runtime.instance import POSTGRES_INSTANCE
from fintrace_pipeline.runtime.workers import worker_argv
from fintrace_pipeline.settings import PROJECT_ROOT
from fintrace_pipeline.stages import ANALYSIS_STAGES, MODEL_TYPES
from fintrace_pipeline_tests.conftest import migrated_database_url
from fintrace_pipeline_tests.e2e.conftest import ONE_SYSTEM_AT_A_TIME, start_system, stop_system
from fintrace_pipeline_tests.e2e.test_daemon import _result_counts

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, ONE_SYSTEM_AT_A_TIME]

REDIS_URL = os.environ.get("FINTRACE_TEST_REDIS_URL", "redis://127.0.0.1:6379")
FILES = 20
ROWS = 300


def _empty_redis_database() -> str:
    """A Redis database number nothing else uses now, so no other test's worker takes these steps."""
    try:
        redis.Redis.from_url(f"{REDIS_URL}/0").ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("FINTRACE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    for number in random.sample(range(1, 16), 15):
        if redis.Redis.from_url(f"{REDIS_URL}/{number}").dbsize() == 0:
            return f"{REDIS_URL}/{number}"
    pytest.skip("every Redis database 1-15 holds keys")


def _instance_for_workers() -> str:
    """The project's PostgreSQL instance, with as many runs at once as the workers run steps: a run's
    process only hands its steps to Celery, so two runs would leave the workers idle between steps."""
    config = yaml.safe_load(POSTGRES_INSTANCE.read_text())
    config["run_coordinator"]["config"]["max_concurrent_runs"] = 4
    return yaml.safe_dump(config)


class Workers:
    def __init__(self, system, count: int):
        self.system = system
        self.processes: dict[str, subprocess.Popen] = {}
        for i in range(1, count + 1):
            self.start(f"e2e-{i}")

    def start(self, name: str) -> None:
        log = (self.system.var / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(
            worker_argv(name, concurrency=1),
            env=self.system.env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: the main process and its pool process
        )

    def kill(self, name: str) -> None:
        """The whole worker at once (main and pool process), as when its machine goes away."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def celery_system(request, tmp_path):
    database_url = migrated_database_url(request, "postgres", tmp_path)
    broker = _empty_redis_database()
    system = start_system(
        tmp_path,
        database_url,
        instance_yaml=_instance_for_workers(),
        FINTRACE_EXECUTOR="celery",
        FINTRACE_CELERY_BROKER=broker,
    )
    workers = Workers(system, 2)
    yield system, workers, Celery(broker=broker, backend=broker)
    workers.stop_all()
    stop_system(system)
    redis.Redis.from_url(broker).flushdb()
    for log in sorted(system.var.glob("*.log")):
        print(f"--- {log.name}\n{log.read_text()[-3000:]}")


def _step_running_on(app: Celery, worker: str, timeout: float) -> dict:
    """A task the worker named ``worker`` is running now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for hostname, tasks in (app.control.inspect(timeout=1).active() or {}).items():
            if hostname.startswith(f"{worker}@") and tasks:
                return tasks[0]
        time.sleep(0.2)
    raise AssertionError(f"worker {worker} ran no step within {timeout:.0f} s")


def test_twenty_files_on_two_workers_each_once_and_a_killed_worker_costs_a_retry(celery_system, tmp_path):
    system, workers, app = celery_system
    for i in range(FILES):
        path = tmp_path / f"celery-{i:02}.csv"
        write_ledger(generate_ledger(ROWS, seed=300 + i), path)
        system.drop(path)

    # Mid-run, one worker dies with the step it runs; its supervisor starts it again under the same name.
    _step_running_on(app, "e2e-1", timeout=240)
    workers.kill("e2e-1")
    workers.start("e2e-1")

    system.wait_for(lambda: system.job_statuses() == ["COMPLETED"] * FILES, timeout=1200, what="twenty jobs")
    with system.engine.connect() as connection:
        jobs = connection.execute(select(file_processing_jobs)).all()
        assert connection.execute(select(func.count()).select_from(data_files)).scalar_one() == FILES
    assert len({job.data_file_id for job in jobs}) == FILES  # one job per file
    for job in jobs:
        # One complete set of results each.
        assert _result_counts(system, job.id) == (len(ANALYSIS_STAGES), len(MODEL_TYPES), ROWS)

    system.wait_for_runs_to_end(timeout=60)
    with system.instance() as instance:
        every_run = instance.get_runs()
        failed = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.FAILURE]))
    # Beside the files' runs, the inbox sensor's registration runs, each a success.
    runs = [r for r in every_run if r.job_name == process_file_job.name]
    registrations = [r for r in every_run if r.job_name != process_file_job.name]
    assert {(r.job_name, r.status) for r in registrations} == {(register_inbox.name, DagsterRunStatus.SUCCESS)}
    assert len(failed) == 1, [(r.run_id, r.status) for r in runs]
    lost = failed[0]
    retries = [r for r in runs if r.parent_run_id == lost.run_id]
    assert [r.status for r in retries] == [DagsterRunStatus.SUCCESS]
    assert retries[0].tags[JOB_ID_TAG] == lost.tags[JOB_ID_TAG]  # the retry finished the same job
    assert len(runs) == FILES + 1
    with system.instance() as instance:
        failure = next(
            record.event_log_entry.dagster_event
            for record in instance.get_records_for_run(lost.run_id).records
            if record.event_log_entry.dagster_event and record.event_log_entry.dagster_event.is_run_failure
        )
    assert "stopped running step" in failure.event_specific_data.error.message
    uuid.UUID(lost.tags[JOB_ID_TAG])
