"""Engines for the results database: SQLite (embedded default) or PostgreSQL, chosen by URL."""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 60_000


def normalize_url(url: str) -> str:
    """Spell the PostgreSQL driver out: SQLAlchemy 2.1 no longer guesses psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@functools.cache
def get_engine(url: str) -> Engine:
    """One engine (and pool) per URL per process."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # pre-ping: a server that went away and came back is reconnected to without a restart.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_recycle=1800)


def get_streaming_engine(url: str) -> Engine:
    """For long reads streamed to a client. On SQLite, one without ``get_engine``'s BEGIN IMMEDIATE:
    a download holding the write lock for its whole transfer would stall every pipeline write."""
    url = normalize_url(url)
    return _sqlite_reader_engine(url) if url.startswith("sqlite") else get_engine(url)


@functools.cache
def _sqlite_reader_engine(url: str) -> Engine:
    return create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE below is what runs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers (API, tracker polls) proceed while a step writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Writers queue on the database lock at BEGIN instead of failing with "database is locked"
        # when a read transaction later tries to upgrade to a write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
