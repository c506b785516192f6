"""What the review queue's answer costs beside the flagged view it is built from.

Generates a ledger (``generate_ledger``), processes it through the Dagster job in this process
(``process_file``) into a scratch SQLite file and a scratch PostgreSQL database, and times, through
the app (Starlette's TestClient, in this process), the median of ``--repeat`` requests of:

- ``/api/flagged-entries/`` page 1 (25 entries): the baseline;
- ``/api/review-queue/`` page 1, all items: the same page plus the counts of the whole queue;
- ``/api/review-queue/?review=unreviewed`` page 1: the filter by the newest verdict;

in three states (on PostgreSQL each also after ANALYZE): no verdict; half of the queue's first 1,000
entries reviewed (recorded through ``POST /api/verdicts/``); and, besides, a verdict on every line of
the file (as a mapped label column stores them).

    .venv/bin/python bench/bench_review_queue.py [--rows 100000] [--repeat 20] [--backends sqlite postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from dagster import DagsterInstance
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.persistence import verdicts
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings

POSTGRES = os.environ.get("FINTRACE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
PAGE = 25


def database_url(backend: str, var: Path) -> tuple[str, str | None]:
    """(the URL, the scratch PostgreSQL database to drop afterwards)."""
    if backend == "sqlite":
        return f"sqlite:///{var / 'fintrace.db'}", None
    name = f"bench_review_{uuid.uuid4().hex[:10]}"
    with create_engine(POSTGRES, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return f"{POSTGRES.rsplit('/', 1)[0]}/{name}", name


def drop(name: str) -> None:
    with create_engine(POSTGRES, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def medians_ms(client: TestClient, paths: list[str], repeat: int) -> list[float]:
    """The median time of each path's answer, the paths asked in turn so that a busy moment of the
    shared machine weighs on all of them alike."""
    times: list[list[float]] = [[] for _ in paths]
    for path in paths:
        client.get(path).raise_for_status()  # warm
    for _ in range(repeat):
        for index, path in enumerate(paths):
            start = time.perf_counter()
            response = client.get(path)
            times[index].append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    return [statistics.median(t) for t in times]


def measure(client: TestClient, file_id: str, repeat: int, state: str) -> None:
    base = f"file_id={file_id}&limit={PAGE}"
    paths = [
        f"/api/flagged-entries/?{base}",
        f"/api/review-queue/?{base}",
        f"/api/review-queue/?{base}&review=unreviewed",
    ]
    flagged, queue, unreviewed = medians_ms(client, paths, repeat)
    counts = client.get(paths[1]).json()["counts"]
    print(
        f"  {state:<48} queue {counts['queue']:>6,} reviewed {counts['reviewed']:>6,} | flagged-entries "
        f"{flagged:6.1f} ms | review-queue {queue:6.1f} ms ({queue / flagged:.2f}x) | unreviewed "
        f"{unreviewed:6.1f} ms ({unreviewed / flagged:.2f}x)",
        flush=True,
    )


def measure_states(client: TestClient, engine, file_id: str, repeat: int, state: str) -> None:
    """The state as written, and on PostgreSQL once more after ANALYZE: a table analysed while it was
    still empty is planned as holding one row until autovacuum analyses it again (within a minute of
    the first 50 verdicts)."""
    measure(client, file_id, repeat, state)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        measure(client, file_id, repeat, f"{state}, analysed")


def run(backend: str, rows: int, repeat: int, ledger: Path, work: Path) -> None:
    var = work / backend / "var"
    (var / "dagster").mkdir(parents=True)
    url, scratch = database_url(backend, var)
    try:
        os.environ.update(
            {"FINTRACE_VAR_DIR": str(var), "FINTRACE_DATABASE_URL": url, "DAGSTER_HOME": str(var / "dagster")}
        )
        settings = get_settings()
        engine = get_engine(url)
        migrate.upgrade(engine)
        started = time.perf_counter()
        outcome = process_file(ledger, settings, instance=DagsterInstance.ephemeral())
        assert outcome.summary["job"]["status"] == "COMPLETED", outcome.summary["job"]["error_message"]
        file_id = str(outcome.data_file_id)
        print(f"{backend}: {rows:,} rows processed in {time.perf_counter() - started:.1f} s")
        with TestClient(create_app(settings)) as client:
            measure_states(client, engine, file_id, repeat, "no verdict")
            queue = client.get(f"/api/review-queue/?file_id={file_id}&limit=1000").json()
            names = [item["je_number"] for item in queue["items"]]
            half = names[: len(names) // 2]
            body = [
                {"file_id": file_id, "je_number": n, "verdict": ("confirmed", "cleared")[i % 2]}
                for i, n in enumerate(half)
            ]
            client.post("/api/verdicts/", json=body).raise_for_status()
            measure_states(client, engine, file_id, repeat, f"{len(half):,} entries reviewed")
            with engine.begin() as connection:
                data_file = get_data_file(connection, outcome.data_file_id)
                lines = [verdicts.Decision(verdicts.Target(row_number=r), "cleared") for r in range(1, rows + 1)]
                verdicts.import_decisions(connection, data_file, lines, "import", "bench")
            measure_states(client, engine, file_id, repeat, f"and a verdict on each of {rows:,} lines")
    finally:
        get_engine(url).dispose()
        if scratch:
            drop(scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_review_") as folder:
        work = Path(folder)
        ledger = work / "ledger.csv"
        write_ledger(generate_ledger(args.rows, seed=args.seed), ledger)
        for backend in args.backends:
            run(backend, args.rows, args.repeat, ledger, work)


if __name__ == "__main__":
    main()
