"""Report generation beside the processing it reports on: a generated ledger of N lines processed
through every stage (SQLite, in process), then its workpaper (XLSX) and PDF built from the stored
results, each timed, with the processing time in the same run for scale.

    .venv/bin/python bench/bench_reports.py [--rows 1000000] [--seed 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from dagster import DagsterInstance

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.export_kinds import PDF, XLSX
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.reports.build import report_bytes
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="fintrace_reports_")) / "var"
    var.mkdir(parents=True)
    settings = dataclasses.replace(
        Settings.from_env(),
        var_dir=var,
        database_url=f"sqlite:///{var / 'fintrace.db'}",
        dagster_home=var / "dagster",
        inbox_dir=var / "inbox",
        archive_dir=var / "archive",
        shared_dir=var,
        max_rows=max(args.rows * 2, 5_000_000),
    )
    settings.dagster_home.mkdir(parents=True)
    migrate.upgrade(get_engine(settings.database_url))
    path = var.parent / "ledger.csv"
    write_ledger(generate_ledger(args.rows, seed=args.seed), path)
    started = time.perf_counter()
    outcome = process_file(path, settings, instance=DagsterInstance.ephemeral())
    processing = time.perf_counter() - started
    status = outcome.summary["job"]["status"]
    print(f"{args.rows:,} lines processed through every stage in {processing:.1f} s ({status})")
    with get_engine(settings.database_url).connect() as connection:
        for file_format in (XLSX, PDF):
            started = time.perf_counter()
            body = report_bytes(connection, outcome.data_file_id, outcome.job_id, file_format)
            seconds = time.perf_counter() - started
            share = seconds / processing
            print(f"{file_format:5} report: {seconds:.2f} s, {len(body):,} bytes ({share:.3f}× the processing)")


if __name__ == "__main__":
    main()
