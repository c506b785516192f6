"""Re-processing historical files: a Dagster backfill of the per-file job over chosen partitions."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from fintrace_pipeline.db.schema import data_files, history_files
from fintrace_pipeline.defs.jobs import process_file_job
from fintrace_pipeline.defs.partitions import TRIGGER_TAG, data_file_partitions
from fintrace_pipeline.runtime.instance import get_instance
from fintrace_pipeline.settings import PROJECT_ROOT, Settings

# Runs of a backfill carry this tag; the instance runs one of them at a time (dagster.yaml), so each
# file's comparison with its source's earlier files sees every earlier file's share already stored.
TIME_ORDER_TAG = "fintrace/time_order"


def select_files(engine: Engine, *, file_ids: list[str], since: datetime | None, everything: bool) -> list[str]:
    """The chosen files, oldest data first within each source: by the first posting date a file's
    last processing recorded, then (for files never processed) by when the file was registered."""
    period = history_files.c.period_start
    query = (
        select(data_files.c.id)
        .outerjoin(history_files, history_files.c.data_file_id == data_files.c.id)
        .order_by(data_files.c.source, period.is_(None), period, data_files.c.created_at)
    )
    if file_ids:
        wanted = [uuid.UUID(f) for f in file_ids]
        query = query.where(data_files.c.id.in_(wanted))
    elif since is not None:
        query = query.where(data_files.c.created_at >= since)
    elif not everything:
        raise ValueError("say which files: --all, --file-id ID or --since DATE")
    with engine.connect() as connection:
        found = [str(row.id) for row in connection.execute(query)]
    missing = set(file_ids) - set(found)
    if missing:
        raise ValueError(f"no registered data file has id {', '.join(sorted(missing))}")
    return found


def launch_backfill(settings: Settings, partitions: list[str]) -> str:
    """Submit the backfill to the instance; the daemon runs it. Returns what Dagster printed."""
    instance = get_instance(settings)
    instance.add_dynamic_partitions(data_file_partitions.name, partitions)  # files registered outside Dagster
    argv = [
        str(Path(sys.executable).parent / "dagster"),
        "job",
        "backfill",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "-j",
        process_file_job.name,
        "--partitions",
        ",".join(partitions),
        "--tags",
        json.dumps({TRIGGER_TAG: "backfill", TIME_ORDER_TAG: "oldest_first"}),
        "--noprompt",
    ]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=PROJECT_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"dagster job backfill failed: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout
