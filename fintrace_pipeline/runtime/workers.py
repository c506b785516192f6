"""Steps on Celery workers: what that needs, and the worker processes `fintrace up --workers N` and
`fintrace worker` start.

A worker runs steps of runs launched elsewhere, so everything a step touches must be reachable from
every machine: the results database and the Dagster instance on PostgreSQL (SQLite files live on
one machine, and several machines writing one SQLite file corrupt it), the broker, and the shared
storage root (archived originals, snapshots) mounted at the same path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster import DagsterInstance
from sqlalchemy.engine import make_url

from fintrace_pipeline.runtime.supervisor import Service
from fintrace_pipeline.settings import Settings

CELERY_APP = "fintrace_pipeline.runtime.celery_app"
QUEUE = "dagster"  # dagster-celery's queue


class WorkersNeedPostgres(RuntimeError):
    """Celery workers were asked for on storage only one machine can use."""


def _local_instance_storage(instance: DagsterInstance) -> str | None:
    """What the instance keeps where only this machine sees it (SQLite files, memory), None when nothing."""
    kinds = {"runs": instance.run_storage, "event logs": instance.event_log_storage}
    local = [
        f"{name} in {type(storage).__name__}"
        for name, storage in kinds.items()
        if any(word in type(storage).__name__.lower() for word in ("sqlite", "inmemory"))
    ]
    return " and ".join(local) or None


def require_shared_databases(settings: Settings, instance: DagsterInstance) -> None:
    """Refuse Celery workers unless the results database and the Dagster instance are PostgreSQL."""
    problems = []
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        problems.append(
            f"the results database is SQLite ({settings.database_url}): set FINTRACE_DATABASE_URL="
            "postgresql+psycopg2://USER@HOST:5432/fintrace"
        )
    local_storage = _local_instance_storage(instance)
    if local_storage:
        problems.append(
            f"the Dagster instance in {instance.root_directory} keeps its {local_storage}: set "
            "FINTRACE_DAGSTER_PG_URL=postgresql://USER@HOST:5432/dagster and use a new DAGSTER_HOME (it gets "
            "dagster.postgres.yaml), or give $DAGSTER_HOME/dagster.yaml a postgres storage"
        )
    if problems:
        raise WorkersNeedPostgres(
            "steps on Celery workers need PostgreSQL for both the results and the Dagster instance, so every "
            "machine reaches them:" + "".join(f"\n  - {problem}" for problem in problems)
        )


def worker_argv(name: str, concurrency: int, log_level: str = "INFO") -> list[str]:
    """One Celery worker with ``concurrency`` pool processes, each running one step at a time."""
    return [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        CELERY_APP,
        "worker",
        "--queues",
        QUEUE,
        "--hostname",
        f"{name}@%h",
        "--concurrency",
        str(concurrency),
        "--prefetch-multiplier",
        "1",
        "--loglevel",
        log_level,
        # Workers need not know each other: no gossip or start-up sync between them.
        "--without-gossip",
        "--without-mingle",
    ]


def worker_services(count: int, concurrency: int = 1) -> list[Service]:
    return [Service(f"celery-worker-{i}", worker_argv(f"fintrace-{i}", concurrency)) for i in range(1, count + 1)]


def use_celery_executor() -> None:
    """Make the processes started from here (webserver, daemon, run workers) send steps to Celery."""
    os.environ["FINTRACE_EXECUTOR"] = "celery"
