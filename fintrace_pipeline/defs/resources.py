"""The resources every step and sensor is given: the results database and FinTrace's settings."""

from __future__ import annotations

from dagster import ConfigurableResource, Definitions
from sqlalchemy import Engine

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.settings import get_settings


class ResultsDatabase(ConfigurableResource):
    """Where every step reads its input and writes its results (SQLite or PostgreSQL URL)."""

    url: str

    def get_engine(self) -> Engine:
        return get_engine(self.url)


def fintrace_resources(settings=None) -> dict:
    """``results_db`` and ``settings`` (a plain object: steps take it as ``ResourceParam[Settings]``),
    read from the environment when the code location loads unless given."""
    settings = settings or get_settings()
    return {"results_db": ResultsDatabase(url=settings.database_url), "settings": settings}


defs = Definitions(resources=fintrace_resources())
