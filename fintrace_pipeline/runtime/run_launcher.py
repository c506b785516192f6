"""A run launcher whose run workers Dagster's run monitoring can health-check.

Dagster's default launcher starts each run worker as a local process but cannot tell when that
process has died (e.g. killed with SIGKILL, or by the out-of-memory killer), so such a run would stay
STARTED forever. The worker records its pid in its first engine event; checking that the process still
exists lets run monitoring mark the run failed, and the failure sensor then closes its job.
"""

from __future__ import annotations

import psutil
from dagster import DagsterEventType, DefaultRunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus

_PID_EVENTS_TO_SCAN = 20


def run_worker_pid(instance, run_id: str) -> int | None:
    """The pid the run worker recorded in its first engine events, if it has started."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=_PID_EVENTS_TO_SCAN)
    for record in records.records:
        data = record.event_log_entry.dagster_event.engine_event_data
        pid = data.metadata.get("pid") if data and data.metadata else None
        if pid is not None:
            return int(pid.value)
    return None


class LocalRunLauncher(DefaultRunLauncher):
    def __init__(self, inst_data=None):
        super().__init__(inst_data=inst_data)
        self._pids: dict[str, int] = {}

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def _worker_pid(self, run_id: str) -> int | None:
        if run_id not in self._pids:
            pid = run_worker_pid(self._instance, run_id)
            if pid is not None:
                self._pids[run_id] = pid
        return self._pids.get(run_id)

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        pid = self._worker_pid(run.run_id)
        if pid is None:  # still starting: the start timeout covers a worker that never comes up
            return CheckRunHealthResult(WorkerStatus.RUNNING, "run worker not started yet")
        try:
            alive = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            alive = False
        if alive:
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        self._pids.pop(run.run_id, None)
        return CheckRunHealthResult(WorkerStatus.FAILED, f"the run worker process (pid {pid}) is gone")
