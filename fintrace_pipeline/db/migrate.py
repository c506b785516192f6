"""Schema migrations (Alembic scripts kept in ``sql/migrations``), run by ``fintrace db upgrade``."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from fintrace_pipeline.settings import SQL_DIR


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SQL_DIR / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


class SchemaOutOfDate(RuntimeError):
    pass


def require_current_schema(engine: Engine) -> None:
    if not is_up_to_date(engine):
        raise SchemaOutOfDate("the results database is not up to date: run `fintrace db upgrade` first")
