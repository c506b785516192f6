"""Ingest of a 1,000,000-row CSV into PostgreSQL, beside the I/O floor measured in the same run.

floor  = pandas.read_csv(dtype=str) + COPY of the same rows into a plain text table
ingest = fintrace's ingest_file (sniffing, mapping, parsing, validation) + COPY into `transactions`

    .venv/bin/python bench/bench_ingest_postgres.py [--rows 1000000]
      [--url postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]
Prints both times, their ratio (floor: within 1.3x) and the peak memory of the ingest (floor: < 2 GB).
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.ingest import ingest_file
from fintrace_pipeline.persistence.files import register_file


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def io_floor_seconds(engine: Engine, path: Path) -> float:
    """The I/O floor: pandas.read_csv(dtype=str) of the file + COPY of its rows into a scratch table."""
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str)
    with engine.begin() as connection:
        columns = ", ".join(f'"c{i}" text' for i in range(len(frame.columns)))
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS floor_copy; CREATE TABLE floor_copy ({columns})")
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.copy_expert("COPY floor_copy FROM STDIN WITH (FORMAT csv)", buffer)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    name = f"fintrace_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ledger.csv"
            # Generated in a child process so this process's peak memory is the ingest's own.
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "fintrace_pipeline.cli",
                    "generate",
                    "--rows",
                    str(args.rows),
                    "--seed",
                    "1",
                    "--out",
                    str(path),
                ],
                check=True,
            )
            engine = get_engine(url)
            migrate.upgrade(engine)
            size_mb = path.stat().st_size / 2**20
            print(f"file: {args.rows:,} rows, {size_mb:.0f} MB")

            data_file, _ = register_file(engine, path, received_via="cli", archive_dir=Path(tmp) / "archive")
            started = time.perf_counter()
            result = ingest_file(path, max_decompressed_bytes=2**34, max_rows=10_000_000)
            parsed = time.perf_counter() - started
            with engine.begin() as connection:
                replace_transactions(connection, data_file.id, result.transactions, result.rejected)
            ingest = time.perf_counter() - started
            loaded, rejected = len(result.transactions), len(result.rejected)
            ingest_peak = peak_rss_mb()  # measured before the floor's own frames exist
            del result
            floor = io_floor_seconds(engine, path)

            print(f"floor  read_csv + COPY        {floor:6.2f} s")
            print(f"ingest parse                  {parsed:6.2f} s")
            print(f"ingest parse + COPY           {ingest:6.2f} s   ratio {ingest / floor:.2f}x (floor: <= 1.3x)")
            print(f"rows loaded {loaded:,}, rejected {rejected:,}")
            print(f"ingest peak RSS {ingest_peak:.0f} MB (floor: < 2048 MB)")
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
