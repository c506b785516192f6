"""The inbox sensor with 2,000 complete files waiting: how long its ticks take, beside the work the
tick no longer does (hashing, archiving, registering: the registration job's), measured in one run.

Ticks are evaluated through Dagster's ``build_sensor_context`` against a temporary instance and a
fresh results database (SQLite, or PostgreSQL with --postgres); the runs a tick requests are then
created in the instance as the daemon would create them, so the next tick sees them.

    .venv/bin/python bench/bench_sensor_tick.py [--files 2000] [--kib 64] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from dagster import build_sensor_context, instance_for_test
from dagster._core.storage.dagster_run import DagsterRun
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fintrace_pipeline import inbox
from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine, normalize_url
from fintrace_pipeline.defs.registration import FILES_PER_RUN
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.defs.sensors.inbox import inbox_sensor
from fintrace_pipeline.inbox_registration import register_claimed
from fintrace_pipeline.settings import get_settings

ADMIN_URL = normalize_url(
    os.environ.get("FINTRACE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
)


def drop_files(folder: Path, count: int, kib: int) -> None:
    folder.mkdir(parents=True)
    old = time.time() - 120  # settled: complete on the first look
    body = "Posting Date,Amount,Vendor\n" + "2024-01-02,100.00,Acme\n" * (kib * 1024 // 23)
    for i in range(count):
        path = folder / f"ledger-{i:05d}.csv"
        path.write_text(body + f"2024-01-03,{i}.00,Acme\n")
        os.utime(path, (old, old))


def tick(instance, cursor):
    context = build_sensor_context(instance=instance, cursor=cursor, resources=fintrace_resources(get_settings()))
    started = time.perf_counter()
    result = inbox_sensor(context)
    return time.perf_counter() - started, result


def launch(instance, result) -> None:
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    for request in result.run_requests:
        instance.add_run(DagsterRun(job_name=request.job_name, tags={**request.tags}))


def run(folder: Path, database_url: str, count: int, kib: int) -> None:
    os.environ.update(
        FINTRACE_VAR_DIR=str(folder / "var"),
        FINTRACE_DATABASE_URL=database_url,
        FINTRACE_INBOX=str(folder / "inbox"),
        DAGSTER_HOME=str(folder / "dagster"),
    )
    migrate.upgrade(get_engine(database_url))
    drop_files(folder / "inbox", count, kib)
    settings = get_settings()
    with instance_for_test() as instance:
        first, result = tick(instance, None)
        claimed = len(inbox.claimed_files(settings.inbox_dir, 10 * count))
        launch(instance, result)
        started = time.perf_counter()
        registered = 0
        while inbox.has_claimed_files(settings.inbox_dir):
            registered += len(register_claimed(get_engine(database_url), settings, FILES_PER_RUN).new_jobs)
        registration = time.perf_counter() - started
        ticks, cursor, requested = [], result.cursor, 0
        while True:
            seconds, result = tick(instance, cursor)
            cursor = result.cursor
            if not result.run_requests:
                break
            ticks.append(seconds)
            requested += len(result.run_requests)
            launch(instance, result)
    backend = make_url(database_url).get_backend_name()
    print(f"{backend}: {count:,} complete files of {kib} KiB waiting in the inbox")
    print(f"  tick claiming them:                  {first:6.2f} s  ({claimed:,} claimed, a registration run asked for)")
    print(f"  registering them (registration job): {registration:6.2f} s  ({registered:,} files, {FILES_PER_RUN}/run)")
    print(
        f"  ticks requesting their runs:         {max(ticks):6.2f} s slowest, {sum(ticks) / len(ticks):.2f} s mean "
        f"({len(ticks)} ticks, {settings.sensor_max_files_per_tick} runs each, {requested:,} runs)"
    )
    print(f"  the tick's work done inline before (registering in the tick) / tick now: {registration / first:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--kib", type=int, default=64, help="size of each file")
    parser.add_argument("--postgres", action="store_true", help="results in a scratch PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.postgres:
            run(folder, f"sqlite:///{folder / 'fintrace.db'}", args.files, args.kib)
            return
        name = f"fintrace_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        try:
            run(folder, url, args.files, args.kib)
        finally:
            get_engine(url).dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
