"""The Dagster instance FinTrace runs against ($DAGSTER_HOME)."""

from __future__ import annotations

import os
import shutil

from dagster import DagsterInstance

from fintrace_pipeline.settings import PROJECT_ROOT, Settings

SQLITE_INSTANCE = PROJECT_ROOT / "dagster.yaml"
POSTGRES_INSTANCE = PROJECT_ROOT / "dagster.postgres.yaml"


def ensure_dagster_home(settings: Settings) -> None:
    """Create $DAGSTER_HOME with the project's instance configuration if it has none yet: PostgreSQL
    storage when FINTRACE_DAGSTER_PG_URL is set, else SQLite files in $DAGSTER_HOME."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists():
        template = POSTGRES_INSTANCE if os.environ.get("FINTRACE_DAGSTER_PG_URL") else SQLITE_INSTANCE
        shutil.copyfile(template, config)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)


def get_instance(settings: Settings) -> DagsterInstance:
    ensure_dagster_home(settings)
    return DagsterInstance.get()


def prepare_instance(settings: Settings) -> None:
    """$DAGSTER_HOME with its storage created, before several processes open it: a webserver and a
    daemon creating SQLite storage at the same moment race ("table alembic_version already exists")."""
    with get_instance(settings):
        pass


if __name__ == "__main__":
    # `python -m fintrace_pipeline.runtime.instance`: prepare $DAGSTER_HOME without starting anything.
    from fintrace_pipeline.settings import get_settings

    prepare_instance(get_settings())
