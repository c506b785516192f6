"""A running FinTrace system for end-to-end tests: a real `dagster-daemon` process against a
temporary DAGSTER_HOME, watching a temporary inbox and writing to the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import file_processing_jobs
from fintrace_pipeline.settings import PROJECT_ROOT
from fintrace_pipeline_tests.processes import fintrace_environment, prepare_dagster_home

# One running system at a time (xdist_group): each starts a dozen processes, and two at once on two
# cores would each take more than twice as long.
ONE_SYSTEM_AT_A_TIME = pytest.mark.xdist_group("system")

FINISHED_RUN_STATUSES = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


@dataclass
class System:
    var: Path
    inbox: Path
    database_url: str
    env: dict[str, str]
    daemon: subprocess.Popen

    @property
    def engine(self):
        return get_engine(self.database_url)

    def job_statuses(self) -> list[str]:
        with self.engine.connect() as connection:
            return sorted(connection.execute(select(file_processing_jobs.c.status)).scalars())

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.daemon.poll() is not None:
                raise AssertionError(f"dagster-daemon exited with {self.daemon.returncode} while waiting for {what}")
            time.sleep(1.0)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; jobs: {self.job_statuses()}")

    @contextmanager
    def instance(self) -> Iterator[DagsterInstance]:
        """The system's Dagster instance, read with the system's environment in place."""
        keys = [k for k in self.env if k.startswith(("FINTRACE_", "DAGSTER_"))]
        saved = {k: os.environ.get(k) for k in keys}
        os.environ.update({k: self.env[k] for k in keys})
        try:
            yield DagsterInstance.from_config(str(self.var / "dagster"))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def wait_for_runs_to_end(self, timeout: float) -> None:
        """A job is complete once its last step has written it; its run ends a moment later."""
        unfinished = RunsFilter(statuses=[s for s in DagsterRunStatus if s not in FINISHED_RUN_STATUSES])

        def ended() -> bool:
            with self.instance() as instance:
                return not instance.get_runs(unfinished)

        self.wait_for(ended, timeout, "the runs to end")

    def steps(self, run_id: str, event_type: DagsterEventType = DagsterEventType.STEP_START) -> list[str]:
        """The steps of a run with an event of the type: by default those started; with STEP_WORKER_STARTED,
        those that ran in processes of their own."""
        with self.instance() as instance:
            records = instance.get_records_for_run(run_id, of_type=event_type).records
        return sorted(record.event_log_entry.step_key for record in records)

    def drop(self, source: Path, name: str | None = None) -> Path:
        """Drop a file into the inbox the way a careful writer does: temporary name, then rename."""
        target = self.inbox / (name or source.name)
        partial = target.with_name(f".{target.name}.part")
        partial.write_bytes(source.read_bytes())
        old = time.time() - 120  # settled: the sensor may take it on its first look
        os.utime(partial, (old, old))
        partial.replace(target)
        return target


def _postgres_instance_url(database_url: str) -> str:
    """A database of its own on the test server for Dagster's instance storage."""
    admin_url = make_url(database_url).set(query={})
    name = f"dagster_{uuid.uuid4().hex[:10]}"
    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin_url.set(database=name).render_as_string(hide_password=False)


def start_system(tmp_path: Path, database_url: str, instance_yaml: str | None = None, **extra_env: str) -> System:
    """``instance_yaml``: $DAGSTER_HOME/dagster.yaml instead of the project's template."""
    var = tmp_path / "var"
    (var / "dagster").mkdir(parents=True)
    (var / "inbox").mkdir()
    if instance_yaml:
        (var / "dagster" / "dagster.yaml").write_text(instance_yaml)
    env = fintrace_environment(var, database_url, **extra_env)
    if database_url.startswith("postgresql"):
        env["FINTRACE_DAGSTER_PG_URL"] = _postgres_instance_url(database_url)
    prepare_dagster_home(env)
    log = (var / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return System(var, var / "inbox", database_url, env, daemon)


def _started_by(system: System) -> list[psutil.Process]:
    """Every live process with the system's Dagster home in its environment: the daemon's code servers,
    run workers and their step processes, wherever they were re-parented."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.pid != os.getpid() and process.environ().get("DAGSTER_HOME") == system.env["DAGSTER_HOME"]:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def stop_system(system: System) -> None:
    """Stop the daemon; then nothing it started may still run (what remains is killed and reported)."""
    if system.daemon.poll() is None:
        os.killpg(system.daemon.pid, signal.SIGTERM)
        try:
            system.daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(system.daemon.pid, signal.SIGKILL)
            system.daemon.wait()
    _, left = psutil.wait_procs(_started_by(system), timeout=30)
    outlived = []
    for process in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            outlived.append(" ".join(process.cmdline()))
            process.kill()
    instance_url = system.env.get("FINTRACE_DAGSTER_PG_URL")
    if instance_url:
        name = make_url(instance_url).database
        admin = create_engine(make_url(instance_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    assert not outlived, f"processes outlived the daemon: {outlived}"


@pytest.fixture
def system_env() -> dict[str, str]:
    """Extra environment for the system's processes (a test parametrizes it to change a setting)."""
    return {}


@pytest.fixture
def system(tmp_path, database_url, system_env):
    running = start_system(tmp_path, database_url, **system_env)
    yield running
    stop_system(running)
    log = running.var / "daemon.log"
    if log.exists():
        print(log.read_text()[-5000:])
