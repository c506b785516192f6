"""Files dropped into the inbox of a running system are processed by real Dagster processes."""

from __future__ import annotations

import os
import time
from signal import SIGKILL

import psutil
import pytest
from dagster import DagsterEventType, DagsterRunStatus
from sqlalchemy import func, select

from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    file_processing_jobs,
    ml_model_processing_results,
    transaction_scores,
)
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.runtime.run_launcher import run_worker_pid
from fintrace_pipeline.stages import ANALYSIS_STAGES, MODEL_TYPES, STAGES
from fintrace_pipeline_tests.e2e.conftest import ONE_SYSTEM_AT_A_TIME

pytestmark = [pytest.mark.e2e, ONE_SYSTEM_AT_A_TIME]


def _ledger(tmp_path, name, rows, seed):
    path = tmp_path / name
    write_ledger(generate_ledger(rows, seed=seed), path)
    return path


def _result_counts(system, job_id):
    with system.engine.connect() as connection:

        def count(table):
            return connection.execute(
                select(func.count()).select_from(table).where(table.c.processing_job_id == job_id)
            ).scalar_one()

        return count(analytics_processing_results), count(ml_model_processing_results), count(transaction_scores)


def test_dropped_files_are_processed_and_a_bad_one_fails_with_its_reason(system, tmp_path):
    system.drop(_ledger(tmp_path, "january.csv", 1500, seed=1))
    system.drop(_ledger(tmp_path, "february.xlsx", 800, seed=2))
    garbage = tmp_path / "broken.csv"
    garbage.write_bytes(b"\x00\x01\x02 not a ledger \xff" * 200)
    system.drop(garbage)

    system.wait_for(
        lambda: system.job_statuses() == ["COMPLETED", "COMPLETED", "FAILED"], timeout=420, what="three jobs to end"
    )
    with system.engine.connect() as connection:
        jobs = connection.execute(select(file_processing_jobs)).all()
    for job in jobs:
        assert job.dagster_run_id and job.trigger == "inbox"
        if job.status == "COMPLETED":
            assert _result_counts(system, job.id)[:2] == (len(ANALYSIS_STAGES), len(MODEL_TYPES))
            # A small file's steps run in the run's own process.
            assert system.steps(job.dagster_run_id) == sorted(stage.name for stage in STAGES)
            assert system.steps(job.dagster_run_id, DagsterEventType.STEP_WORKER_STARTED) == []
        else:
            assert job.error_message.startswith("broken.csv: "), job.error_message


# Steps in processes of their own, as a large file's are: killing the run worker must stop them too.
@pytest.mark.parametrize("system_env", [{"FINTRACE_STEPS_IN_PROCESS_BELOW_MB": "0"}])
def test_killed_run_is_failed_then_retried_and_its_job_ends_with_one_complete_result_set(system, tmp_path):
    system.drop(_ledger(tmp_path, "big.csv", 60_000, seed=4))
    system.wait_for(lambda: system.job_statuses() == ["RUNNING"], timeout=180, what="the job to start")
    with system.engine.connect() as connection:
        job = connection.execute(select(file_processing_jobs)).one()
    killed_run = job.dagster_run_id
    worker = _run_worker(system, killed_run)
    os.kill(worker.pid, SIGKILL)

    # Run monitoring fails the run; run retries start it again under the same job, which completes.
    system.wait_for(lambda: system.job_statuses() == ["COMPLETED"], timeout=420, what="the retried job to complete")
    with system.engine.connect() as connection:
        done = connection.execute(select(file_processing_jobs)).one()
    assert done.id == job.id and done.dagster_run_id != killed_run
    assert _result_counts(system, done.id) == (len(ANALYSIS_STAGES), len(MODEL_TYPES), 60_000)
    system.wait_for_runs_to_end(timeout=60)
    with system.instance() as instance:
        assert instance.get_run_by_id(killed_run).status == DagsterRunStatus.FAILURE
        retry = instance.get_run_by_id(done.dagster_run_id)
    assert retry.parent_run_id == killed_run and retry.status == DagsterRunStatus.SUCCESS
    assert "ml_ensemble" in system.steps(retry.run_id)
    assert system.steps(retry.run_id, DagsterEventType.STEP_WORKER_STARTED) == system.steps(retry.run_id)

    # Re-processing the same file through a backfill of its partition is a new job of its own.
    from fintrace_pipeline.runtime.backfill import launch_backfill
    from fintrace_pipeline.settings import Settings

    with system.instance():
        launch_backfill(Settings.from_env(), [str(job.data_file_id)])
    system.wait_for(
        lambda: system.job_statuses() == ["COMPLETED", "COMPLETED"], timeout=300, what="the re-run to complete"
    )
    with system.engine.connect() as connection:
        new_job = connection.execute(select(file_processing_jobs).where(file_processing_jobs.c.id != job.id)).one()
    assert new_job.trigger == "backfill"
    assert _result_counts(system, new_job.id) == (len(ANALYSIS_STAGES), len(MODEL_TYPES), 60_000)


def _run_worker(system, run_id: str, timeout: float = 60) -> psutil.Process:
    """The run worker process, found by the pid it recorded in the run's engine events."""
    with system.instance() as instance:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = run_worker_pid(instance, run_id)
            if pid is not None:
                return psutil.Process(pid)
            time.sleep(0.5)
    raise AssertionError(f"no run worker process for run {run_id}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_twenty_files_at_once_are_each_processed_once(system, tmp_path):
    for i in range(20):
        system.drop(_ledger(tmp_path, f"batch-{i:02}.csv", 300, seed=100 + i))
    system.wait_for(lambda: system.job_statuses() == ["COMPLETED"] * 20, timeout=900, what="twenty jobs")
    with system.engine.connect() as connection:
        runs = connection.execute(select(file_processing_jobs.c.dagster_run_id)).scalars().all()
    assert len(set(runs)) == 20
    assert "database is locked" not in (system.var / "daemon.log").read_text()
