"""``fintrace worker``: one Celery worker in the foreground, for a machine that runs steps only."""

from __future__ import annotations

import argparse
import os

from fintrace_pipeline.settings import get_settings


def cmd_worker(args) -> int:
    from fintrace_pipeline.runtime.instance import get_instance
    from fintrace_pipeline.runtime.workers import require_shared_databases, worker_argv

    settings = get_settings()
    require_shared_databases(settings, get_instance(settings))
    argv = worker_argv(args.name, args.concurrency, args.log_level)
    print(f"Celery worker {args.name} on {settings.celery_broker}, shared root {settings.shared_root}", flush=True)
    os.execv(argv[0], argv)  # the worker is this process: signals reach Celery itself
    return 0  # not reached


def add_worker_command(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser(
        "worker", help="run a Celery worker that executes steps (FINTRACE_CELERY_BROKER; needs PostgreSQL)"
    )
    worker.add_argument("--name", default=f"fintrace-{os.uname().nodename}", help="worker name (before @host)")
    worker.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 1, help="steps at once (default: the CPU count)"
    )
    worker.add_argument("--log-level", default="INFO")
    worker.set_defaults(handler=cmd_worker)
