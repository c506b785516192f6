"""Twenty 50,000-row ledgers dropped into the inbox at once, processed by the running system twice in
one run: with the default executor (each run's steps in processes on this machine) and with steps on
two local Celery workers (Redis broker); PostgreSQL holds the Dagster instance and the results in both.
Timed from the drop until the last job is COMPLETED.

With Celery a run's own process only hands its steps to the workers, so the instance runs up to four
runs at once (`max_concurrent_runs`, as the README advises for workers); the default executor keeps
the shipped two. On one two-core machine the workers cannot be faster than local processes: the
figure is what the hand-off through the broker costs, the price of spreading steps over machines.

    .venv/bin/python bench/bench_celery_workers.py [--files 20] [--rows 50000] [--workers 2]
      [--url postgresql+psycopg2://postgres@127.0.0.1:5432/postgres] [--broker redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import yaml
from bench_inbox_million import BIN, create_database, drop_database, environment
from sqlalchemy import text

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.runtime.workers import worker_argv
from fintrace_pipeline.settings import PROJECT_ROOT

TIMEOUT_S = 3600


def statuses(results_url: str) -> list[str]:
    with get_engine(results_url).connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT status FROM file_processing_jobs"))]


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            argv, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_once(ledgers: list[Path], work: Path, admin_url: str, workers: int, broker: str) -> float:
    """Seconds from dropping every ledger into the inbox to the last job COMPLETED."""
    results_url = create_database(admin_url, "fintrace_bench")
    instance_url = create_database(admin_url, "dagster_bench")
    processes: list[subprocess.Popen] = []
    try:
        env = environment(work, results_url, instance_url)
        if workers:
            env.update(FINTRACE_EXECUTOR="celery", FINTRACE_CELERY_BROKER=broker)
            redis.Redis.from_url(broker).flushdb()
            config_path = Path(env["DAGSTER_HOME"]) / "dagster.yaml"
            config = yaml.safe_load(config_path.read_text())
            config["run_coordinator"]["config"]["max_concurrent_runs"] = 2 * workers
            config_path.write_text(yaml.safe_dump(config))
            for number in range(1, workers + 1):
                processes.append(start(worker_argv(f"bench-{number}", 1), env, work / f"worker-{number}.log"))
        daemon_log = work / "daemon.log"
        processes.append(
            start([str(BIN / "dagster-daemon"), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")], env, daemon_log)
        )
        deadline = time.monotonic() + 120
        while "Checking for new runs for sensor: inbox_sensor" not in daemon_log.read_text():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the daemon did not start its sensors:\n{daemon_log.read_text()[-3000:]}")
            time.sleep(0.5)
        started = time.perf_counter()
        for ledger in ledgers:
            os.link(ledger, Path(env["FINTRACE_INBOX"]) / ledger.name)  # each system gets its own name
        while True:
            done = statuses(results_url)
            if len(done) == len(ledgers) and all(s == "COMPLETED" for s in done):
                return time.perf_counter() - started
            if any(s in ("FAILED", "CANCELED") for s in done):
                raise RuntimeError(f"a job ended {done}; see {work}")
            if time.perf_counter() - started > TIMEOUT_S:
                raise RuntimeError(f"not all jobs completed after {TIMEOUT_S} s: {done}")
            time.sleep(1.0)
    finally:
        for process in reversed(processes):
            stop(process)
        drop_database(admin_url, results_url)
        drop_database(admin_url, instance_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fintrace-bench-") as scratch:
        staging = Path(scratch) / "staging"
        ledgers = []
        for number in range(args.files):
            ledger = staging / f"ledger_{number:02}.csv"
            command = [str(BIN / "fintrace"), "generate", "--rows", str(args.rows), "--seed", str(100 + number)]
            subprocess.run([*command, "--out", str(ledger)], check=True, capture_output=True)
            ledgers.append(ledger)
        print(f"{args.files} ledgers of {args.rows:,} rows")
        local = run_once(ledgers, Path(scratch) / "default", args.url, 0, args.broker)
        print(f"{'default executor (steps in local processes)':46} {local:7.1f} s")
        celery = run_once(ledgers, Path(scratch) / "celery", args.url, args.workers, args.broker)
        label = f"{args.workers} Celery workers (one step each at a time)"
        print(f"{label:46} {celery:7.1f} s  ({celery / local:.2f}x the default)")


if __name__ == "__main__":
    main()
