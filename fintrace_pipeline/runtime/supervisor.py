"""Running the whole system in the foreground: Dagster webserver, Dagster daemon and the REST API as
child processes, all stopped together by one Ctrl-C (or SIGTERM). Each writes to its own log file
(``var/log/<service>.log``) unless the terminal is asked for.

Each child runs in a process group of its own so a stop reaches its helpers (the daemon's code
server, uvicorn's workers) and nothing is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fintrace_pipeline.settings import PROJECT_ROOT

STOP_GRACE_SECONDS = 10.0
WATCH_SECONDS = 2.0


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]


def services(ui_port: int, api_port: int, host: str = "127.0.0.1") -> list[Service]:
    bin_dir = Path(sys.executable).parent
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    return [
        Service(
            "dagster-webserver", [str(bin_dir / "dagster-webserver"), "-w", workspace, "-h", host, "-p", str(ui_port)]
        ),
        Service("dagster-daemon", [str(bin_dir / "dagster-daemon"), "run", "-w", workspace]),
        Service(
            "api", [sys.executable, "-m", "fintrace_pipeline.cli", "serve", "--host", host, "--port", str(api_port)]
        ),
    ]


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # e.g. a child that ignores SIGTERM
            process.wait()


def _output(log_dir: Path | None, name: str):
    if log_dir is None:
        return None  # the terminal's
    log_dir.mkdir(parents=True, exist_ok=True)
    return (log_dir / f"{name}.log").open("a")


def run_services(to_run: list[Service], log_dir: Path | None = None, watch: Callable[[], None] | None = None) -> int:
    """Start every service; return when one exits or on SIGINT/SIGTERM, after stopping them all.
    ``log_dir``: where each service's output goes (the terminal when None). ``watch``: called every
    couple of seconds while they run."""
    processes: dict[str, subprocess.Popen] = {}
    stopping = False

    def request_stop(signum, _frame):
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for service in to_run:
            output = _output(log_dir, service.name)
            processes[service.name] = subprocess.Popen(
                service.argv, start_new_session=True, stdout=output, stderr=subprocess.STDOUT if output else None
            )
        watched = time.monotonic()
        while not stopping:
            exited = [name for name, p in processes.items() if p.poll() is not None]
            if exited:
                where = f"; its log: {log_dir / exited[0]}.log" if log_dir else ""
                print(
                    f"fintrace: {exited[0]} exited with code {processes[exited[0]].returncode}{where}; stopping",
                    file=sys.stderr,
                )
                return 1
            if watch and time.monotonic() - watched >= WATCH_SECONDS:
                watch()
                watched = time.monotonic()
            time.sleep(0.5)
        return 0
    finally:
        _stop(processes)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
