"""The dashboard in headless Chromium (Debian's package, driven by Playwright) against the app served by
`fintrace serve` on localhost, with a pipeline worker processing what the page uploads.

Without /usr/bin/chromium these tests skip, except under FINTRACE_REQUIRE_POSTGRES=1 (CI), where a
missing browser is an error like a missing database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.settings import PROJECT_ROOT
from fintrace_pipeline_tests.processes import fintrace_environment, free_port

CHROMIUM = "/usr/bin/chromium"
# Chromium as root in a sandbox-less container, with nothing reaching out to the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Served:
    url: str
    var: Path
    database_url: str
    env: dict[str, str]
    worker: subprocess.Popen


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not come up in {timeout} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    target = os.environ.get("FINTRACE_SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def system(tmp_path_factory) -> Iterator[Served]:
    """An empty, migrated SQLite results database; the pipeline worker; the app without a token."""
    var = tmp_path_factory.mktemp("browser") / "var"
    (var / "inbox").mkdir(parents=True)
    database_url = f"sqlite:///{var / 'fintrace.db'}"
    migrate.upgrade(get_engine(database_url))
    env = fintrace_environment(var, database_url)
    port = free_port()
    logs = (var / "server.log").open("w"), (var / "worker.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "fintrace_pipeline.cli", "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "fintrace_pipeline_tests.browser.pipeline_worker"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", server)
        yield Served(f"http://127.0.0.1:{port}", var, database_url, env, worker)
    finally:
        _stop(worker)
        _stop(server)
        for log in logs:
            log.close()
        print((var / "worker.log").read_text()[-3000:])


@pytest.fixture
def serve_with_token(system) -> Iterator[callable]:
    """Starts a second app over the same database with FINTRACE_API_TOKEN set; returns its URL."""
    started: list[subprocess.Popen] = []

    def start(token: str) -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "fintrace_pipeline.cli", "serve", "--port", str(port)],
            env={**system.env, "FINTRACE_API_TOKEN": token},
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        _wait_until_up(f"http://127.0.0.1:{port}", process)
        return f"http://127.0.0.1:{port}"

    yield start
    for process in started:
        _stop(process)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("FINTRACE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{CHROMIUM} is required for the dashboard tests (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-US")
    opened = context.new_page()
    yield opened
    context.close()
