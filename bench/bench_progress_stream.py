"""How soon a progress-stream client sees a tracker change after its commit, on PostgreSQL (notified)
and SQLite (polled): the API in a uvicorn subprocess, one streaming client, N step updates committed
one at a time, the delay from each commit to its event arriving.

    .venv/bin/python bench/bench_progress_stream.py [--updates 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine, normalize_url
from fintrace_pipeline.persistence import jobs, tracker
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline_tests.processes import free_port

ADMIN_URL = normalize_url(
    os.environ.get("FINTRACE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
)


def _serve(database_url: str, var: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "FINTRACE_DATABASE_URL": database_url, "FINTRACE_VAR_DIR": str(var)}
    server = subprocess.Popen(
        [sys.executable, "-m", "fintrace_pipeline.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the API did not start")


def measure(database_url: str, updates: int) -> list[float]:
    """Seconds from each committed step update to the client receiving its event."""
    engine = get_engine(database_url)
    migrate.upgrade(engine)
    var = Path(tempfile.mkdtemp(prefix="fintrace_stream_"))
    ledger = var / "ledger.csv"
    ledger.write_text("posting_date,amount\n2024-01-01,1\n")
    data_file, _ = register_file(engine, ledger, received_via="cli", archive_dir=var / "archive")
    job = jobs.create_job(engine, data_file.id, trigger="cli")
    jobs.mark_running(engine, job.id, "bench")
    server, url = _serve(database_url, var)
    arrivals: list[float] = []
    seen = threading.Event()

    def listen() -> None:
        try:
            with httpx.stream("GET", f"{url}/api/processing-progress/stream?job_id={job.id}", timeout=None) as response:
                for line in response.iter_lines():
                    if line.startswith("data:"):
                        arrivals.append(time.perf_counter())
                        seen.set()
        except httpx.HTTPError:
            return  # the server stopped at the end of the run

    try:
        threading.Thread(target=listen, daemon=True).start()
        seen.wait(10)  # the first event: the job as it is
        time.sleep(1.5)  # the server's change listener connected
        delays = []
        for i in range(updates):
            before = len(arrivals)
            seen.clear()
            committed = time.perf_counter()
            tracker.update_step(engine, job.id, "ingest", status="RUNNING", progress=float(i + 1))
            if not seen.wait(10) or len(arrivals) == before:
                raise RuntimeError(f"no event within 10 s of update {i + 1}")
            delays.append(arrivals[-1] - committed)
            time.sleep(0.05)
        return delays
    finally:
        server.terminate()
        server.wait(10)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=30)
    args = parser.parse_args()
    name = f"fintrace_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        postgres = measure(make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False), args.updates)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    sqlite = measure(f"sqlite:///{tempfile.mkdtemp(prefix='fintrace_stream_')}/fintrace.db", args.updates)
    for label, delays in (("PostgreSQL (notified)", postgres), ("SQLite (polled)", sqlite)):
        ms = sorted(d * 1000 for d in delays)
        print(
            f"{label:22} {len(ms)} updates: median {statistics.median(ms):.1f} ms, "
            f"p90 {ms[int(len(ms) * 0.9) - 1]:.1f} ms, max {ms[-1]:.1f} ms"
        )
    print(json.dumps({"postgres_median_ms": round(statistics.median(postgres) * 1000, 1)}))


if __name__ == "__main__":
    main()
