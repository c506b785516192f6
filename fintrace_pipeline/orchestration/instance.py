"""The Dagster instance FinTrace runs against ($DAGSTER_HOME)."""

from __future__ import annotations

import os
import shutil

from dagster import DagsterInstance

from fintrace_pipeline.settings import PROJECT_ROOT, Settings

INSTANCE_TEMPLATE = PROJECT_ROOT / "dagster.yaml"


def ensure_dagster_home(settings: Settings) -> None:
    """Create $DAGSTER_HOME with the project's instance configuration if it has none yet."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(INSTANCE_TEMPLATE, config)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)


def get_instance(settings: Settings) -> DagsterInstance:
    ensure_dagster_home(settings)
    return DagsterInstance.get()
