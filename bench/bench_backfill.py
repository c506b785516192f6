"""`fintrace backfill --all` over 10,000 registered files: how long the command takes to submit the
backfill, and how soon a real dagster-daemon has launched its first runs, beside 1,000 files and
beside the command line the backfill used to be (every partition key in one argument), in one run.

Files are registered in bulk in a scratch SQLite database; the scratch instance queues runs without
starting any (max_concurrent_runs 0), so what is measured is the launching, not the processing.

    .venv/bin/python bench/bench_backfill.py [--files 10000] [--small 1000] [--first-runs 100]
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from dagster import DagsterInstance, RunsFilter
from sqlalchemy import insert

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import data_files
from fintrace_pipeline.settings import PROJECT_ROOT

INSTANCE_YAML = """\
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 0
telemetry:
  enabled: false
"""
ARG_LIMIT_DEMO = ["/bin/true"]


def register(url: str, count: int) -> list[str]:
    engine = get_engine(url)
    migrate.upgrade(engine)
    start = datetime(2026, 1, 1)
    rows = [
        dict(
            id=uuid.uuid4(),
            file_name=f"ledger-{i:05d}.csv",
            sha256=uuid.uuid4().hex * 2,
            size_bytes=1000,
            received_via="inbox",
            source="default",
            created_at=start + timedelta(seconds=i),
            updated_at=start,
        )
        for i in range(count)
    ]
    with engine.begin() as connection:
        for first in range(0, count, 2_000):
            connection.execute(insert(data_files), rows[first : first + 2_000])
    return [str(r["id"]) for r in rows]


def environment(folder: Path) -> dict[str, str]:
    home = folder / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    return {
        **os.environ,
        "FINTRACE_VAR_DIR": str(folder / "var"),
        "FINTRACE_DATABASE_URL": f"sqlite:///{folder / 'fintrace.db'}",
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def submit(env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "fintrace_pipeline.cli", "backfill", "--all"], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return seconds, done.stdout.strip()


def old_command_line(partitions: list[str]) -> str:
    """What the single ``--partitions`` argument of ``dagster job backfill`` did with these keys."""
    argument = ",".join(partitions)
    try:
        subprocess.run([*ARG_LIMIT_DEMO, "--partitions", argument], check=True)
    except OSError as exc:
        if exc.errno == errno.E2BIG:
            return f"{len(argument):,}-byte argument: [Errno 7] Argument list too long"
        raise
    return f"{len(argument):,}-byte argument: accepted"


def first_runs(env: dict[str, str], wanted: int, timeout: float = 300) -> tuple[float, float]:
    """Seconds from starting dagster-daemon until the backfill's first run, and its first ``wanted`` runs."""
    daemon = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started = time.perf_counter()
    first = None
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    try:
        with DagsterInstance.get() as instance:
            [backfill] = instance.get_backfills()
            flt = RunsFilter(tags={"dagster/backfill": backfill.backfill_id})
            while time.perf_counter() - started < timeout:
                count = instance.get_runs_count(flt)
                if count and first is None:
                    first = time.perf_counter() - started
                if count >= wanted:
                    return first, time.perf_counter() - started
                time.sleep(0.5)
        raise RuntimeError(f"fewer than {wanted} runs after {timeout} s")
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--first-runs", type=int, default=100)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in (args.small, args.files):
            folder = Path(tmp) / str(count)
            env = environment(folder)
            partitions = register(env["FINTRACE_DATABASE_URL"], count)
            seconds, printed = submit(env)
            figures[count] = seconds
            print(f"{count:,} files: `fintrace backfill --all` took {seconds:.1f} s")
            print(f"  {printed}")
            print(f"  the former single command-line argument: {old_command_line(partitions)}")
        first, many = first_runs(env, args.first_runs)
    print(
        f"{args.files:,} files: dagster-daemon launched the backfill's first run {first:.1f} s after it started "
        f"(code location loaded), its first {args.first_runs} runs after {many:.1f} s"
    )
    print(f"submit time {args.files:,} / {args.small:,} files: {figures[args.files] / figures[args.small]:.2f}x")


if __name__ == "__main__":
    main()
