"""`fintrace up` as a user runs it: UI, daemon and API come up, the demo ledger is processed and its
run shown in one line each as it starts and ends, and one Ctrl-C stops every process it started."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from fintrace_pipeline.settings import PROJECT_ROOT
from fintrace_pipeline_tests.e2e.conftest import ONE_SYSTEM_AT_A_TIME
from fintrace_pipeline_tests.processes import fintrace_environment, free_port

pytestmark = [pytest.mark.e2e, ONE_SYSTEM_AT_A_TIME]

DEMO_ROWS = 2_000


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def _wait(condition, process: subprocess.Popen, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            raise AssertionError(f"fintrace up exited ({process.returncode}) waiting for {what}:\n{log.read_text()}")
        time.sleep(1.0)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-5000:]}")


def _command_line(process: psutil.Process) -> list[str]:
    # A run worker that has just finished is a zombie until its parent reaps it: it has no command line.
    try:
        return process.cmdline()
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return []


def test_up_serves_ui_and_api_processes_the_demo_and_stops_everything_on_ctrl_c(tmp_path):
    var = tmp_path / "var"
    ui_port = free_port()
    api_port = free_port()
    while api_port == ui_port:
        api_port = free_port()
    env = fintrace_environment(var, f"sqlite:///{var / 'fintrace.db'}")
    log = tmp_path / "up.log"
    command = [
        str(Path(sys.executable).parent / "fintrace"),
        "up",
        "--ui-port",
        str(ui_port),
        "--api-port",
        str(api_port),
        "--demo-rows",
        str(DEMO_ROWS),
    ]
    with log.open("w") as out:
        up = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
    children: list[psutil.Process] = []
    try:
        _wait(lambda: _get(f"http://127.0.0.1:{api_port}/healthz")[0] == 200, up, 120, "the API", log)
        _wait(lambda: _get(f"http://127.0.0.1:{ui_port}/server_info")[0] == 200, up, 180, "the Dagster UI", log)

        def demo_status():
            status, body = _get(f"http://127.0.0.1:{api_port}/api/files/")
            files = json.loads(body)["files"] if status == 200 else []
            done = [f for f in files if f["latest_job_status"] in ("COMPLETED", "FAILED")]
            return done[0] if done else None

        demo = _wait(demo_status, up, 300, "the demo ledger's job to finish", log)
        assert demo["file_name"] == "demo_ledger.csv"
        assert demo["latest_job_status"] == "COMPLETED", demo
        assert demo["rows_loaded"] == DEMO_ROWS
        banner = log.read_text()
        assert f"Dagster UI   http://127.0.0.1:{ui_port}" in banner
        assert f"API          http://127.0.0.1:{api_port}" in banner
        # The terminal shows the runs, one line each; the services' chatter is in their log files.
        _wait(lambda: "finished  process_file  demo_ledger.csv  in " in log.read_text(), up, 30, "the run's line", log)
        shown = log.read_text()
        assert "started  process_file  demo_ledger.csv" in shown
        assert "Checking for new runs for sensor" not in shown
        assert "Checking for new runs for sensor" in (var / "log" / "dagster-daemon.log").read_text()

        children = psutil.Process(up.pid).children(recursive=True)
        names = " ".join(" ".join(_command_line(c)) for c in children)
        assert "dagster-webserver" in names and "dagster-daemon" in names and " serve " in names
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0, log.read_text()[-5000:]
        gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], [" ".join(p.cmdline()) for p in alive]
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        for child in children:
            if child.is_running():
                child.kill()
