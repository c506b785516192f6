"""API latency under load: processing-progress and processing-results against a trivial endpoint.

N processed files in a scratch PostgreSQL database (one file processed for real, its result rows
then copied under new ids with SQL), uvicorn in a subprocess, wrk driving 64 connections for a fixed
time per endpoint. Prints req/s, p50/p99, errors and the p99 ratios to /api/ping.

    .venv/bin/python bench/bench_api.py [--files 1000] [--duration 10] [--connections 64]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from fintrace_pipeline.api.summary_cache import MAX_ENTRIES
from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine, normalize_url
from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    data_files,
    file_processing_jobs,
    ml_model_processing_results,
    processing_job_trackers,
    transaction_flags,
)

ADMIN_URL = normalize_url(
    os.environ.get("FINTRACE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
)
LEDGER_ROWS = 2_000
WARM_UP_S = 3


def create_database() -> tuple[str, str]:
    name = f"fintrace_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def process_one_file(url: str, work: Path) -> str:
    """Process a generated ledger through the real pipeline; fall back to hand-built results when
    the pipeline cannot run here. Returns a description of what was stored."""
    os.environ.update(
        FINTRACE_VAR_DIR=str(work / "var"), FINTRACE_DATABASE_URL=url, DAGSTER_HOME=str(work / "var" / "dagster")
    )
    (work / "var" / "dagster").mkdir(parents=True, exist_ok=True)
    from fintrace_pipeline.settings import get_settings

    try:
        from dagster import DagsterInstance

        from fintrace_pipeline.generate import generate_ledger, write_ledger
        from fintrace_pipeline.runtime.process import process_file

        path = work / "ledger.csv"
        write_ledger(generate_ledger(LEDGER_ROWS, seed=5), path)
        outcome = process_file(path, get_settings(), instance=DagsterInstance.ephemeral())
        status = outcome.summary["job"]["status"]
        return f"a {LEDGER_ROWS}-row generated ledger processed by the pipeline (job {status})"
    except Exception as exc:  # noqa: BLE001 - any failure means "use the fallback", and say why
        from fintrace_pipeline_tests.api.conftest import make_settings, seed

        seed(make_settings(work / "var", url), work)
        return f"hand-built results (the pipeline could not run: {exc.__class__.__name__}: {str(exc)[:120]})"


def _copy_sql(table, replaced: dict[str, str], source_filter: str) -> str:
    columns = [c.name for c in table.c if not (c.name == "id" and table is transaction_flags)]
    values = [replaced.get(c, f't."{c}"') for c in columns]
    return (
        f'INSERT INTO "{table.name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
        f'SELECT {", ".join(values)} FROM "{table.name}" t JOIN bench_copies m ON TRUE WHERE {source_filter}'
    )


def clone_files(engine: Engine, copies: int) -> None:
    """Every stored file, job and result row copied ``copies`` times under fresh ids, in SQL."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TEMP TABLE bench_copies AS SELECT n, gen_random_uuid() AS file_id, gen_random_uuid() AS job_id "
                "FROM generate_series(1, :copies) AS n"
            ),
            {"copies": copies},
        )
        source_file, source_job = connection.execute(
            text(
                "SELECT data_file_id, id FROM file_processing_jobs"
                " WHERE status = 'COMPLETED' ORDER BY created_at LIMIT 1"
            )
        ).one()
        params = {"file": source_file, "job": source_job}
        per_file = {"data_file_id": "m.file_id", "processing_job_id": "m.job_id"}
        of_job = "t.processing_job_id = :job"
        statements = [
            _copy_sql(
                data_files, {"id": "m.file_id", "sha256": "md5(m.file_id::text) || md5(m.job_id::text)"}, "t.id = :file"
            ),
            _copy_sql(file_processing_jobs, {"id": "m.job_id", "data_file_id": "m.file_id"}, "t.id = :job"),
            _copy_sql(processing_job_trackers, {"id": "gen_random_uuid()", **per_file}, of_job),
            _copy_sql(analytics_processing_results, {"id": "gen_random_uuid()", **per_file}, of_job),
            _copy_sql(ml_model_processing_results, {"id": "gen_random_uuid()", **per_file}, of_job),
            _copy_sql(transaction_flags, per_file, of_job),
        ]
        for statement in statements:
            connection.execute(text(statement), params)
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER = """
import uvicorn
from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.settings import get_settings
app = create_app(get_settings(), summary_cache_entries={cache})
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning")
"""


def start_server(url: str, port: int, cache_entries: int) -> subprocess.Popen:
    env = {**os.environ, "FINTRACE_DATABASE_URL": url}
    process = subprocess.Popen([sys.executable, "-c", SERVER.format(cache=cache_entries, port=port)], env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the API server did not start")


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _millis(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port: int, paths: list[str], duration: float, connections: int, work: Path) -> dict[str, float]:
    script = work / f"paths_{uuid.uuid4().hex[:6]}.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{int(duration)}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _millis(latency["50"]),
        "p99": _millis(latency["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is required (apt-get install -y wrk)")
    name, url = create_database()
    work = Path(tempfile.mkdtemp(prefix="bench_api_"))
    server = None
    try:
        engine = get_engine(url)
        migrate.upgrade(engine)
        started = time.perf_counter()
        source = process_one_file(url, work)
        print(f"source results: {source} ({time.perf_counter() - started:.1f} s)")
        with engine.connect() as connection:
            existing = connection.execute(text("SELECT count(*) FROM data_files")).scalar_one()
        started = time.perf_counter()
        clone_files(engine, max(0, args.files - existing))
        with engine.connect() as connection:
            files = connection.execute(text("SELECT count(*) FROM data_files")).scalar_one()
            job_rows = connection.execute(
                text("SELECT id, data_file_id FROM file_processing_jobs WHERE status = 'COMPLETED'")
            ).all()
            flags = connection.execute(text("SELECT count(*) FROM transaction_flags")).scalar_one()
        print(
            f"{files} files, {len(job_rows)} completed jobs, {flags} flag rows "
            f"(copied in {time.perf_counter() - started:.1f} s)"
        )
        engine.dispose()
        random.seed(1)
        sample = random.sample(job_rows, min(len(job_rows), 500))
        progress = [f"/api/processing-progress/?job_id={job}" for job, _ in sample]
        summaries = [f"/api/processing-results/?file_id={file}" for _, file in sample]
        targets = {
            "ping (trivial)": (["/api/ping"], True),
            "processing-progress": (progress, True),
            "processing-results": (summaries, True),
            "results, no cache": (summaries, False),
        }
        results = {}
        for cache in (True, False):
            port = free_port()
            server = start_server(url, port, MAX_ENTRIES if cache else 0)
            for label, (paths, with_cache) in targets.items():
                if with_cache == cache:
                    # Warm up first (pools filled, statements prepared, summaries cached), then measure.
                    for path in paths:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
                    run_wrk(port, paths, WARM_UP_S, args.connections, work)
                    results[label] = run_wrk(port, paths, args.duration, args.connections, work)
            server.terminate()
            server.wait(timeout=10)
            server = None
        base = results["ping (trivial)"]
        print(
            f"\n{args.connections} connections, {args.duration} s each after {WARM_UP_S} s warm-up, "
            f"{len(sample)} distinct jobs/files, uvicorn (1 process), 2 shared cores"
        )
        print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'p99 / ping':>12}")
        for label, r in results.items():
            print(
                f"{label:<22}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{r['errors']:>8d}"
                f"{r['p99'] / base['p99']:>12.2f}"
            )
        print("targets: progress p99 <= 3x ping, results p99 <= 6x ping")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        get_engine.cache_clear()
        drop_database(name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
