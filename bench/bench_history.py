"""The history_comparison stage over twelve monthly files of one source, processed oldest first: its
time on each file (the step's own duration, as the tracker records it), the ratio of the 12th to the
1st, and whether each injected cross-file case is found with its code.

Usage: .venv/bin/python bench/bench_history.py [lines_per_month] [sqlite|postgres]

Each file is ingested and compared (the other stages do not feed this one and are left out); the
history read is the per-source aggregates the earlier files stored, so the 12th file reads twelve
months of aggregates, never the earlier files' transactions.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

ADMIN_URL = os.environ.get("FINTRACE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def main(lines_per_month: int, backend: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="fintrace-bench-history-") as scratch:
        work = Path(scratch)
        database, url = None, f"sqlite:///{work / 'fintrace.db'}"
        if backend == "postgres":
            database = f"bench_history_{uuid.uuid4().hex[:8]}"
            with create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
            url = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
        os.environ.update(
            FINTRACE_VAR_DIR=str(work / "var"), FINTRACE_DATABASE_URL=url, DAGSTER_HOME=str(work / "var" / "dagster")
        )
        (work / "var" / "dagster").mkdir(parents=True)
        try:
            return _run(work, lines_per_month, backend)
        finally:
            if database:
                from fintrace_pipeline.db.engine import get_engine

                get_engine(url).dispose()
                with create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT").connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def _run(work: Path, lines_per_month: int, backend: str) -> dict:
    from dagster import DagsterInstance, materialize

    from fintrace_pipeline.db import migrate
    from fintrace_pipeline.db.engine import get_engine
    from fintrace_pipeline.db.schema import transaction_flags
    from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
    from fintrace_pipeline.defs.partitions import JOB_ID_TAG, TRIGGER_TAG, data_file_partitions
    from fintrace_pipeline.defs.resources import fintrace_resources
    from fintrace_pipeline.generate.monthly import generate_monthly_files, write_monthly_file
    from fintrace_pipeline.persistence import jobs
    from fintrace_pipeline.persistence.files import register_file
    from fintrace_pipeline.settings import get_settings

    settings = get_settings()
    engine = get_engine(settings.database_url)
    migrate.upgrade(engine)
    instance = DagsterInstance.ephemeral()
    generated = generate_monthly_files(lines_per_month=lines_per_month, seed=7)
    per_file = []
    found = []
    for number, frame in enumerate(generated.files, start=1):
        path = work / f"acme-2025-{number:02d}.csv"
        write_monthly_file(frame, path)
        data_file, _ = register_file(engine, path, received_via="cli", archive_dir=settings.archive_dir, source="acme")
        job = jobs.create_job(engine, data_file.id, trigger="cli")
        instance.add_dynamic_partitions(data_file_partitions.name, [str(data_file.id)])
        result = materialize(
            PER_FILE_ASSETS,
            selection=["ingest", "history_comparison"],
            partition_key=str(data_file.id),
            instance=instance,
            resources=fintrace_resources(settings),
            tags={JOB_ID_TAG: str(job.id), TRIGGER_TAG: "cli"},
        )
        metadata = result.asset_materializations_for_node("history_comparison")[0].metadata
        per_file.append(
            {
                "month": number,
                "lines": len(frame),
                "earlier_files": metadata["earlier_files"].value,
                "stage_seconds": metadata["duration"].value,
                "by_part": metadata["seconds_by_part"].value,
                "findings": metadata.get("anomalies_found").value if "anomalies_found" in metadata else 0,
            }
        )
        with engine.connect() as connection:
            flags = {
                (r.row_number, r.rule_code)
                for r in connection.execute(
                    select(transaction_flags.c.row_number, transaction_flags.c.rule_code).where(
                        transaction_flags.c.processing_job_id == job.id
                    )
                )
            }
        for case in generated.cases[generated.cases["month"] == number].itertuples():
            found.append(
                {
                    "month": number,
                    "row": int(case.row_number),
                    "code": case.rule_code,
                    "found": (int(case.row_number), case.rule_code) in flags,
                }
            )
    first, last = per_file[0]["stage_seconds"], per_file[-1]["stage_seconds"]
    return {
        "backend": backend,
        "lines_per_month": lines_per_month,
        "files": per_file,
        "stage_seconds_1st": first,
        "stage_seconds_12th": last,
        "ratio_12th_to_1st": round(last / first, 2),
        "injected_cases": found,
        "all_injected_found": all(c["found"] for c in found),
    }


if __name__ == "__main__":
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    backend = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    print(json.dumps(main(lines, backend), indent=2))
