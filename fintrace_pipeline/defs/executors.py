"""Where a run's steps execute: on this machine (in the run's own process for a small file, in parallel
processes for a larger one), or on Celery workers anywhere.

``FINTRACE_EXECUTOR`` chooses. The Celery executor is dagster-celery's, with one addition: the loss of
a worker while it runs a step (killed, out of memory, its machine gone) fails the run within
``WORKER_LOST_AFTER_SECONDS``. Celery alone never reports a task whose worker vanished, so the run
would wait for it forever; failed this way (an error of the run, not of the step), Dagster's run
retries start the run again from the lost step.
"""

from __future__ import annotations

import pkgutil
import time
import uuid
from pathlib import Path

from dagster import (
    DagsterEvent,
    ExecutorDefinition,
    Field,
    Noneable,
    StringSource,
    executor,
    multiple_process_executor_requirements,
)
from dagster._core.events import EngineEventData
from dagster._core.execution.retries import RetryMode, get_retries_config
from dagster._core.executor.base import Executor
from dagster._core.executor.in_process import InProcessExecutor
from dagster._core.executor.multiprocess import MultiprocessExecutor
from dagster._core.storage.tags import PARTITION_NAME_TAG
from dagster_celery.core_execution_loop import core_celery_execution_loop
from dagster_celery.executor import CELERY_CONFIG, CeleryExecutor, _submit_task

import fintrace_pipeline.defs
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.file_types import COMPRESSED_SUFFIXES
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.settings import MiB, Settings

# Step processes are forked from a server that has imported every definitions module, so a step only
# builds the definitions (about a second) instead of importing pandas, scikit-learn and Dagster again.
PRELOADED = [
    module.name for module in pkgutil.walk_packages(fintrace_pipeline.defs.__path__, "fintrace_pipeline.defs.")
]
# A gzipped or zipped ledger holds about this many times its size in text.
COMPRESSION_RATIO = 8

# A started step no worker has reported running for this long is taken as lost. Workers answer from
# their main process while a pool process computes, so a busy worker still answers; asking which
# tasks run (not whether a worker of that name answers) also sees a worker restarted under the same name.
WORKER_LOST_AFTER_SECONDS = 20.0
ASK_EVERY_SECONDS = 3.0
ASK_TIMEOUT_SECONDS = 1.0


def celery_app_args(settings: Settings) -> dict:
    """The executor's Celery configuration; workers are started with the same (runtime.workers)."""
    return {
        "broker": settings.celery_broker,
        "backend": settings.celery_result_backend(),
        "include": [],
        "config_source": {
            # The started state names the worker running a task, which is what the watch checks.
            "task_track_started": True,
            # A worker takes a task only when it has a free process (Redis): a task waits in the
            # queue, where any worker can take it, rather than behind a busy or dying worker.
            "worker_disable_prefetch": True,
            "worker_prefetch_multiplier": 1,
        },
    }


class WorkerLost(Exception):
    """The Celery worker running a step stopped answering."""


class WorkerWatch:
    """Which tasks the workers say they are running, asked at most every ``ASK_EVERY_SECONDS``."""

    def __init__(self, app, lost_after: float = WORKER_LOST_AFTER_SECONDS):
        self.app = app
        self.lost_after = lost_after
        self.outstanding: dict[str, WatchedResult] = {}
        self._last_seen: dict[str, float] = {}
        self._asked_at = 0.0

    def _ask(self) -> None:
        now = time.monotonic()
        if now - self._asked_at < ASK_EVERY_SECONDS:
            return
        self._asked_at = now
        running = self.app.control.inspect(timeout=ASK_TIMEOUT_SECONDS).active() or {}
        for tasks in running.values():
            for task in tasks:
                self._last_seen[task["id"]] = time.monotonic()

    def unseen_for(self, task_id: str) -> float:
        """Seconds since a worker last said it runs ``task_id`` (counted from the first question)."""
        self._ask()
        now = time.monotonic()
        return now - self._last_seen.setdefault(task_id, now)

    def fail_run(self, lost: WatchedResult, hostname: str) -> None:
        """Stop the run's other steps so nothing of this run writes after it failed, then fail it."""
        for other in self.outstanding.values():
            if other is not lost:
                other.result.revoke(terminate=True)
        raise WorkerLost(
            f"the Celery worker {hostname} stopped running step {lost.step_key} (no worker has reported it "
            f"for {self.lost_after:.0f} s: killed, out of memory or its machine lost); the run's other steps "
            "were stopped so a retry runs them again"
        )


class WatchedResult:
    """A step's Celery result, as dagster-celery's execution loop reads it, that also notices a lost worker."""

    def __init__(self, result, step_key: str, watch: WorkerWatch):
        self.result = result
        self.step_key = step_key
        self.watch = watch
        watch.outstanding[step_key] = self

    def ready(self) -> bool:
        if self.result.ready():
            self.watch.outstanding.pop(self.step_key, None)
            return True
        if self.result.state == "STARTED" and self.watch.unseen_for(self.result.id) > self.watch.lost_after:
            self.watch.fail_run(self, (self.result.info or {}).get("hostname", "?"))
        return False

    def get(self):
        return self.result.get()

    def revoke(self, **options):
        return self.result.revoke(**options)


class WatchedCeleryExecutor(CeleryExecutor):
    def execute(self, plan_context, execution_plan):
        watch: WorkerWatch | None = None

        def submit(app, context, step, queue, priority, known_state):
            nonlocal watch
            watch = watch or WorkerWatch(app)
            return WatchedResult(_submit_task(app, context, step, queue, priority, known_state), step.key, watch)

        return core_celery_execution_loop(plan_context, execution_plan, step_execution_fn=submit)


# dagster-celery's configuration schema, without its default backend: unset, the settings' one is used.
CONFIG_SCHEMA = {
    **CELERY_CONFIG,
    "backend": Field(Noneable(StringSource), is_required=False, description="Celery results backend URL."),
}


def celery_step_executor(settings: Settings) -> ExecutorDefinition:
    """dagster-celery's executor (its run configuration too) pointed at the configured broker."""

    @executor(
        name="fintrace_celery_executor",
        config_schema=CONFIG_SCHEMA,
        requirements=multiple_process_executor_requirements(),
    )
    def _celery(init_context):
        from fintrace_pipeline.runtime.workers import require_shared_databases

        require_shared_databases(settings, init_context.instance)
        config = init_context.executor_config
        defaults = celery_app_args(settings)
        return WatchedCeleryExecutor(
            broker=config.get("broker") or defaults["broker"],
            backend=config.get("backend") or defaults["backend"],
            include=config.get("include") or defaults["include"],
            config_source={**defaults["config_source"], **(config.get("config_source") or {})},
            retries=RetryMode.from_config(config["retries"]),
        )

    return _celery


def content_bytes(file_name: str, size_bytes: int) -> int:
    """About how many bytes of text a stored file holds once unpacked."""
    return size_bytes * COMPRESSION_RATIO if Path(file_name).suffix.lower() in COMPRESSED_SUFFIXES else size_bytes


class LocalStepExecutor(Executor):
    """A run's steps on this machine. A small file's steps run one after another in the run's own
    process: starting a process per step (a few seconds each) would take longer than the steps. A larger
    file's steps run two at a time in processes of their own, which also return their memory when done."""

    def __init__(self, retries: RetryMode, settings: Settings):
        self._retries = retries
        self._settings = settings
        self._in_process = InProcessExecutor(retries=retries)
        self._processes = MultiprocessExecutor(
            retries=retries, max_concurrent=2, start_method="forkserver", explicit_forkserver_preload=PRELOADED
        )

    @property
    def retries(self) -> RetryMode:
        return self._retries

    def execute(self, plan_context, execution_plan):
        size = self._file_content_bytes(plan_context.dagster_run.tags.get(PARTITION_NAME_TAG))
        limit = self._settings.steps_in_process_below_bytes
        in_process = size is not None and size < limit
        where = "in this run's process" if in_process else "in processes of their own"
        about = f"the file holds about {size / MiB:,.1f} MB" if size is not None else "the file's size is unknown"
        yield DagsterEvent.engine_event(
            plan_context, f"Steps run {where}: {about} (in process below {limit / MiB:,.0f} MB).", EngineEventData()
        )
        yield from (self._in_process if in_process else self._processes).execute(plan_context, execution_plan)

    def _file_content_bytes(self, partition_key: str | None) -> int | None:
        try:
            data_file_id = uuid.UUID(partition_key or "")
        except ValueError:
            return None
        with get_engine(self._settings.database_url).connect() as connection:
            data_file = get_data_file(connection, data_file_id)
        return content_bytes(data_file.file_name, data_file.size_bytes) if data_file else None


def local_step_executor(settings: Settings) -> ExecutorDefinition:
    @executor(
        name="fintrace_step_executor",
        config_schema={"retries": get_retries_config()},
        requirements=multiple_process_executor_requirements(),
    )
    def _local(init_context):
        return LocalStepExecutor(RetryMode.from_config(init_context.executor_config["retries"]), settings)

    return _local


def step_executor_for(settings: Settings) -> ExecutorDefinition:
    return celery_step_executor(settings) if settings.executor == "celery" else local_step_executor(settings)
