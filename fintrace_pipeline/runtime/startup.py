"""`fintrace up`: prepare the database, instance and inbox, then run every service in the foreground."""

from __future__ import annotations

import os

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.runtime.instance import get_instance, prepare_instance
from fintrace_pipeline.runtime.run_feed import RunFeed
from fintrace_pipeline.runtime.supervisor import run_services, services
from fintrace_pipeline.runtime.workers import require_shared_databases, use_celery_executor, worker_services
from fintrace_pipeline.settings import Settings

DEMO_ROWS = 20_000
DEMO_SEED = 7


def drop_demo_ledger(settings: Settings, rows: int = DEMO_ROWS) -> bool:
    """On the first start only, drop a generated ledger into the inbox so a run appears at once.

    Written under a temporary name and renamed, so the sensor never sees half of it.
    """
    marker = settings.var_dir / ".demo-dropped"
    if marker.exists():
        return False
    from fintrace_pipeline.generate import generate_ledger, write_ledger

    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    partial = settings.inbox_dir / "demo_ledger.csv.part"
    write_ledger(generate_ledger(rows, seed=DEMO_SEED), partial)
    partial.replace(settings.inbox_dir / "demo_ledger.csv")
    marker.touch()
    return True


def start_everything(
    settings: Settings, *, ui_port: int, api_port: int, demo_rows: int, workers: int = 0, verbose: bool = False
) -> int:
    """``demo_rows`` 0: no demo ledger. ``workers``: local Celery workers to start (steps then run on
    Celery, as they do with FINTRACE_EXECUTOR=celery and workers elsewhere). ``verbose``: the services'
    own output on the terminal instead of in var/log/."""
    celery = workers > 0 or settings.executor == "celery"
    if celery:
        require_shared_databases(settings, get_instance(settings))
    migrate.upgrade(get_engine(settings.database_url))
    prepare_instance(settings)
    os.environ.setdefault("FINTRACE_DATABASE_URL", settings.database_url)
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    if demo_rows and drop_demo_ledger(settings, demo_rows):
        print(f"dropped a demo ledger into {settings.inbox_dir}")
    print(f"Dagster UI   http://127.0.0.1:{ui_port}")
    print(f"API          http://127.0.0.1:{api_port}")
    print(f"Inbox        {settings.inbox_dir}   (drop CSV, TSV, gzip or Excel files here)")
    if celery:
        use_celery_executor()
        print(f"Steps        on Celery workers via {settings.celery_broker} ({workers} started here)")
        print(f"Shared root  {settings.shared_root}   (archive {settings.archive_dir})")
    log_dir = None if verbose else settings.var_dir / "log"
    if log_dir:
        print(f"Logs         {log_dir}/   (one file per service; --verbose shows them here)")
    print("Ctrl-C stops everything.", flush=True)
    feed = RunFeed(get_instance(settings), get_engine(settings.database_url))
    return run_services(services(ui_port, api_port) + worker_services(workers), log_dir, watch=lambda: _show(feed))


def _show(feed: RunFeed) -> None:
    try:
        lines = feed.lines()
    except Exception as exc:  # a busy or restarting storage: the next look catches up
        lines = [f"(could not read the runs: {exc})"]
    for line in lines:
        print(line, flush=True)
