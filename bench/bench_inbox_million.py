"""A 1,000,000-row ledger from inbox drop to COMPLETED, with PostgreSQL as both the Dagster instance
storage and the results database, beside the same file through `fintrace process` (in-process) and
beside the I/O floor (read_csv + COPY), all measured in one run.

The drop is a rename into the inbox of a file written minutes before (as `mv` from a staging folder
does), so the sensor may take it on its first look; the time runs from the rename until the job row
says COMPLETED, and so includes the sensor tick, the run queue and the run worker's start.

    .venv/bin/python bench/bench_inbox_million.py [--rows 1000000] [--show-log]
      [--url postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_ingest_postgres import io_floor_seconds
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
TIMEOUT_S = 900


def create_database(admin_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def environment(work: Path, results_url: str, instance_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "FINTRACE_VAR_DIR": str(work / "var"),
        "FINTRACE_DATABASE_URL": results_url,
        "DAGSTER_HOME": str(work / "var" / "dagster"),
        "FINTRACE_INBOX": str(work / "var" / "inbox"),
        "FINTRACE_DAGSTER_PG_URL": instance_url,
        "FINTRACE_MAX_ROWS": "5000000",
        "FINTRACE_MAX_DECOMPRESSED_MB": "16384",
        "PYTHONUNBUFFERED": "1",
    }
    (work / "var" / "inbox").mkdir(parents=True)
    migrate.upgrade(get_engine(results_url))
    subprocess.run([sys.executable, "-m", "fintrace_pipeline.runtime.instance"], env=env, check=True)
    return env


def job_state(results_url: str) -> tuple[str | None, str | None]:
    with get_engine(results_url).connect() as connection:
        row = connection.execute(text("SELECT status, error_message FROM file_processing_jobs")).first()
    return (row[0], row[1]) if row else (None, None)


def step_timeline(daemon_log: str) -> str:
    """The daemon log's lines that show where the time went: sensor, queue, run and step events."""
    markers = ("inbox_sensor", "QueuedRunCoordinator", "RUN_", "STEP_START", "STEP_SUCCESS", "reaction")
    return "\n".join(line[:200] for line in daemon_log.splitlines() if any(m in line for m in markers))


def through_the_inbox(
    ledger: Path, work: Path, env: dict[str, str], results_url: str, show_log: bool, timeout: float = TIMEOUT_S
) -> float:
    log_path = work / "daemon.log"
    with log_path.open("w") as log:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "Checking for new runs for sensor: inbox_sensor" not in log_path.read_text():
            if time.monotonic() > deadline or daemon.poll() is not None:
                raise RuntimeError(f"the daemon did not start its sensors:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        started = time.perf_counter()
        ledger.rename(Path(env["FINTRACE_INBOX"]) / ledger.name)
        while True:
            status, error = job_state(results_url)
            if status in ("COMPLETED", "FAILED", "CANCELED"):
                break
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"no terminal job after {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        if show_log:
            print(step_timeline(log_path.read_text()))
        if status != "COMPLETED":
            raise RuntimeError(f"the job ended {status}: {error}")
        return elapsed
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--show-log", action="store_true", help="print the daemon's timeline of the run")
    args = parser.parse_args()

    prefixes = ("fintrace_bench", "dagster_bench", "fintrace_bench", "dagster_bench")
    databases = [create_database(args.url, prefix) for prefix in prefixes]
    process_url, process_instance_url, inbox_url, inbox_instance_url = databases
    try:
        with tempfile.TemporaryDirectory(prefix="fintrace-bench-") as scratch:
            work = Path(scratch)
            ledger = work / "staging" / "ledger_1m.csv"
            subprocess.run(
                [str(BIN / "fintrace"), "generate", "--rows", str(args.rows), "--seed", "1", "--out", str(ledger)],
                check=True,
            )
            print(f"ledger: {args.rows:,} rows, {ledger.stat().st_size / 2**20:.0f} MB")

            floor = io_floor_seconds(get_engine(process_url), ledger)
            print(f"I/O floor (read_csv + COPY)          {floor:7.1f} s")

            env = environment(work / "process", process_url, process_instance_url)
            started = time.perf_counter()
            answer = subprocess.run(
                [str(BIN / "fintrace"), "process", str(ledger), "--json"], env=env, capture_output=True, text=True
            )
            in_process = time.perf_counter() - started
            if answer.returncode != 0:
                raise RuntimeError(f"fintrace process failed:\n{answer.stdout[-3000:]}\n{answer.stderr[-3000:]}")
            outcome = json.loads(answer.stdout)
            print(
                f"fintrace process (whole command)     {in_process:7.1f} s   "
                f"(job {outcome['processing_time_s']:.1f} s, {outcome['status']})"
            )

            env = environment(work / "daemon", inbox_url, inbox_instance_url)
            inbox = through_the_inbox(ledger, work, env, inbox_url, args.show_log)
            print(f"inbox drop -> COMPLETED (daemon)     {inbox:7.1f} s   (target < 60 s)")
            print(f"ratios: inbox / floor {inbox / floor:.2f}x, process / floor {in_process / floor:.2f}x, ")
            print(f"        inbox / process {inbox / in_process:.2f}x")
    finally:
        for url in databases:
            drop_database(args.url, url)


if __name__ == "__main__":
    main()
