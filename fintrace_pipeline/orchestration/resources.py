"""The results database as a Dagster resource."""

from __future__ import annotations

from dagster import ConfigurableResource
from sqlalchemy import Engine

from fintrace_pipeline.db.engine import get_engine


class ResultsDatabase(ConfigurableResource):
    """Where every step reads its input and writes its results (SQLite or PostgreSQL URL)."""

    url: str

    def get_engine(self) -> Engine:
        return get_engine(self.url)
