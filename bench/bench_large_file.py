"""A very large ledger (10,000,000 rows by default) from inbox drop to COMPLETED through every stage,
with PostgreSQL as the Dagster instance and the results database, beside the I/O floor of the same
file measured in the same run; the memory of every process the system started is sampled throughout.

The I/O floor is PostgreSQL's own COPY of the file into a table of text columns: reading and storing
the bytes once, with no parsing of dates or amounts. The memory figures are the largest sums, over one
sample, of the memory of the daemon, its code server, the run worker and its step processes: resident
(a page shared after a fork counts once per process, so the sum is an upper bound) and proportional
(a shared page divided among the processes sharing it, so the sum is what the system holds); and each
step's own peak.

    .venv/bin/python bench/bench_large_file.py [--rows 10000000] [--url postgresql+psycopg2://…]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil
from bench_inbox_million import BIN, create_database, drop_database, environment, through_the_inbox
from sqlalchemy import Engine

from fintrace_pipeline.db.engine import get_engine

GiB = 2**30


def copy_floor_seconds(engine: Engine, path: Path) -> float:
    """COPY of the file's bytes into a scratch table of text columns, one per header field."""
    started = time.perf_counter()
    with path.open() as handle:
        fields = handle.readline().rstrip("\n").split(",")
        handle.seek(0)
        with engine.begin() as connection:
            columns = ", ".join(f'"c{i}" text' for i in range(len(fields)))
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS floor_copy; CREATE TABLE floor_copy ({columns})")
            cursor = connection.connection.dbapi_connection.cursor()
            cursor.copy_expert("COPY floor_copy FROM STDIN WITH (FORMAT csv, HEADER)", handle)
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE floor_copy")
    return seconds


class MemoryWatch(threading.Thread):
    """Samples, every half second, the resident memory of the processes run with this DAGSTER_HOME."""

    def __init__(self, dagster_home: str) -> None:
        super().__init__(daemon=True)
        self.dagster_home = dagster_home
        self.peak_total = 0
        self.peak_proportional = 0
        self.peak_process = (0, "")
        self.peak_by_pid: dict[int, int] = {}
        self.stopping = threading.Event()

    def _sample(self) -> None:
        total = proportional = 0
        for process in psutil.process_iter():
            try:
                if process.environ().get("DAGSTER_HOME") != self.dagster_home:
                    continue
                memory = process.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            rss = memory.rss
            total += rss
            proportional += memory.pss
            self.peak_by_pid[process.pid] = max(rss, self.peak_by_pid.get(process.pid, 0))
            if rss > self.peak_process[0]:
                self.peak_process = (rss, " ".join(process.cmdline())[:120])
        self.peak_total = max(self.peak_total, total)
        self.peak_proportional = max(self.peak_proportional, proportional)

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            self._sample()


def step_peaks(instance_url: str, peak_by_pid: dict[int, int]) -> dict[str, int]:
    """Each step's peak resident memory: the executor logs the pid of the process it runs a step in."""
    with get_engine(instance_url).connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT step_key, event FROM event_logs WHERE dagster_event_type = 'STEP_WORKER_STARTED'"
        ).all()
    peaks = {}
    for step_key, event in rows:
        pid = re.search(r'"text": "(\d+)"\}, "label": "pid"', event)
        if pid:
            peaks[step_key] = peak_by_pid.get(int(pid.group(1)), 0)
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--timeout", type=float, default=7200.0, help="seconds to wait for the job")
    args = parser.parse_args()

    results_url = create_database(args.url, "fintrace_bench")
    instance_url = create_database(args.url, "dagster_bench")
    try:
        with tempfile.TemporaryDirectory(prefix="fintrace-bench-") as scratch:
            work = Path(scratch)
            ledger = work / "staging" / f"ledger_{args.rows}.csv"
            started = time.perf_counter()
            command = [str(BIN / "fintrace"), "generate", "--rows", str(args.rows), "--seed", "1", "--out", str(ledger)]
            subprocess.run(command, check=True)
            size = ledger.stat().st_size
            generated = time.perf_counter() - started
            print(f"ledger: {args.rows:,} rows, {size / 2**20:,.0f} MB, generated in {generated:.0f} s")

            floor = copy_floor_seconds(get_engine(results_url), ledger)
            print(f"I/O floor (COPY of the file)         {floor:8.1f} s  ({size / 2**20 / floor:.0f} MB/s)")

            env = environment(work, results_url, instance_url)
            env["FINTRACE_MAX_ROWS"] = str(max(args.rows, 5_000_000))
            env["FINTRACE_MAX_DECOMPRESSED_MB"] = str(max(16384, 4 * size // 2**20))
            watch = MemoryWatch(env["DAGSTER_HOME"])
            watch.start()
            try:
                elapsed = through_the_inbox(ledger, work, env, results_url, show_log=False, timeout=args.timeout)
            finally:
                watch.stopping.set()
                watch.join()
            print(f"inbox drop -> COMPLETED (daemon)     {elapsed:8.1f} s  ({elapsed / floor:.1f}x the floor)")
            print(f"peak memory of the system's processes {watch.peak_total / GiB:7.2f} GiB resident (a shared page")
            print(f"  counted once per process), {watch.peak_proportional / GiB:.2f} GiB proportional (once in all)")
            rss, command_line = watch.peak_process
            print(f"largest single process               {rss / GiB:7.2f} GiB  {command_line}")
            for step_key, peak in sorted(step_peaks(instance_url, watch.peak_by_pid).items(), key=lambda kv: -kv[1]):
                print(f"  step {step_key:<28} {peak / GiB:7.2f} GiB")
    finally:
        drop_database(args.url, results_url)
        drop_database(args.url, instance_url)


if __name__ == "__main__":
    main()
