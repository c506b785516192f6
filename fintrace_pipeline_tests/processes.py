"""What tests that start real FinTrace processes share: their environment and free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fintrace_environment(var: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a FinTrace process working under ``var`` (inbox, DAGSTER_HOME) on ``database_url``,
    with no token or instance URL inherited from the caller."""
    env = {
        **os.environ,
        "FINTRACE_VAR_DIR": str(var),
        "FINTRACE_DATABASE_URL": database_url,
        "DAGSTER_HOME": str(var / "dagster"),
        "FINTRACE_INBOX": str(var / "inbox"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FINTRACE_DAGSTER_PG_URL", None)
    env.pop("FINTRACE_API_TOKEN", None)
    env.update(extra)
    return env


def prepare_dagster_home(env: dict[str, str]) -> None:
    """Give the environment's DAGSTER_HOME its instance configuration, as `fintrace` does on first use."""
    subprocess.run([sys.executable, "-m", "fintrace_pipeline.runtime.instance"], env=env, check=True)
