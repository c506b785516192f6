"""GET /api/files/ with 10,000 registered files: median latency at offsets 0, 5,000 and 9,950 (the last
page), on SQLite and PostgreSQL, plain and with a name search.

Files are registered in bulk (every one with two jobs, the latest of each with an anomaly-detection
row, the figure the listing shows), the app is driven in process through Starlette's TestClient, and
every figure is the median of --repeats requests after a warm-up.

    .venv/bin/python bench/bench_file_list.py [--files 10000] [--repeats 40] [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine, normalize_url
from fintrace_pipeline.db.schema import analytics_processing_results, data_files, file_processing_jobs
from fintrace_pipeline.settings import MiB, Settings

ADMIN_URL = normalize_url(
    os.environ.get("FINTRACE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
)
SOURCES = ("default", "acme", "globex", "initech")
INSERT_CHUNK = 2_000


def seed(url: str, count: int) -> None:
    engine = get_engine(url)
    migrate.upgrade(engine)
    start = datetime(2026, 1, 1)
    files, jobs, results = [], [], []
    for i in range(count):
        file_id, at = uuid.uuid4(), start + timedelta(minutes=i)
        files.append(
            dict(
                id=file_id,
                file_name=f"ledger-{i:05d}.csv",
                sha256=f"{i:064x}",
                size_bytes=1000 + i,
                received_via="inbox",
                source=SOURCES[i % len(SOURCES)],
                rows_read=100,
                rows_loaded=100,
                rows_rejected=0,
                created_at=at,
                updated_at=at,
            )
        )
        for attempt in range(2):
            job_id = uuid.uuid4()
            jobs.append(
                dict(
                    id=job_id,
                    data_file_id=file_id,
                    trigger="inbox",
                    status="FAILED" if attempt == 0 else "COMPLETED",
                    created_at=at + timedelta(seconds=attempt),
                    updated_at=at,
                )
            )
        results.append(
            dict(
                id=uuid.uuid4(),
                data_file_id=file_id,
                processing_job_id=job_id,
                analytics_type="anomaly_detection",
                processing_status="COMPLETED",
                high_risk_transactions=i % 7,
                created_at=at,
                updated_at=at,
            )
        )
    with engine.begin() as connection:
        for table, rows in ((data_files, files), (file_processing_jobs, jobs), (analytics_processing_results, results)):
            for first in range(0, len(rows), INSERT_CHUNK):
                connection.execute(insert(table), rows[first : first + INSERT_CHUNK])
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))


def median_ms(client: TestClient, path: str, repeats: int) -> float:
    for _ in range(3):
        assert client.get(path).status_code == 200
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return statistics.median(timings)


def measure(label: str, url: str, folder: Path, count: int, repeats: int) -> None:
    seed(url, count)
    settings = Settings(
        var_dir=folder,
        database_url=url,
        dagster_home=folder / "dagster",
        inbox_dir=folder / "inbox",
        archive_dir=folder / "archive",
        max_upload_bytes=MiB,
        max_decompressed_bytes=MiB,
        max_rows=1000,
        api_token=None,
        cors_origins=(),
        sensor_max_files_per_tick=25,
    )
    offsets = (0, count // 2, count - 50)
    with TestClient(create_app(settings)) as client:
        total = client.get("/api/files/?limit=1").json()["total"]
        assert total == count, total
        base = median_ms(client, "/api/ping", repeats)
        figures = {offset: median_ms(client, f"/api/files/?limit=50&offset={offset}", repeats) for offset in offsets}
        searched = median_ms(client, "/api/files/?limit=50&search=ledger-09", repeats)
        by_source = median_ms(client, f"/api/files/?limit=50&offset={count // 8}&source=acme", repeats)
    print(f"{label}: {count:,} files, median of {repeats} requests (ping {base:.1f} ms)")
    for offset, ms in figures.items():
        print(f"  offset {offset:>6,}: {ms:6.1f} ms")
    print(f"  search=ledger-09: {searched:6.1f} ms   source=acme offset {count // 8:,}: {by_source:6.1f} ms")
    print(f"  offset {offsets[-1]:,} / offset 0: {figures[offsets[-1]] / figures[0]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.backend in ("sqlite", "both"):
            measure("SQLite", f"sqlite:///{folder / 'bench.db'}", folder, args.files, args.repeats)
        if args.backend in ("postgres", "both"):
            name = f"fintrace_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
                measure("PostgreSQL", url, folder, args.files, args.repeats)
                get_engine(url).dispose()
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
