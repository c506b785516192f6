"""Shared fixtures: a migrated results database on real SQLite and real PostgreSQL.

PostgreSQL tests run against the server at FINTRACE_TEST_POSTGRES_URL (default: local trust auth),
each test session in a database of its own, each test in a schema of its own. Without a server they
skip, unless FINTRACE_REQUIRE_POSTGRES=1 (as in CI), where a missing server is an error.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine, normalize_url
from fintrace_pipeline.generate import generate_ledger, write_ledger

PG_ADMIN_URL = normalize_url(
    os.environ.get("FINTRACE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
)


@pytest.fixture(scope="session")
def postgres_database_url():
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"fintrace_test_{uuid.uuid4().hex[:12]}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        if os.environ.get("FINTRACE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    for engine_url, engine in list(_pg_engines.items()):
        engine.dispose()
        _pg_engines.pop(engine_url)
    get_engine.cache_clear()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_pg_engines: dict = {}


def _fresh_postgres_url(database_url: str) -> str:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with create_engine(database_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return (
        make_url(database_url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def migrated_database_url(request, kind: str, folder: Path) -> str:
    """A freshly migrated, empty results database of ``kind`` (sqlite or postgres); its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'fintrace.db'}"
    else:
        url = _fresh_postgres_url(request.getfixturevalue("postgres_database_url"))
    engine = get_engine(url)
    if kind == "postgres":
        _pg_engines[url] = engine
    migrate.upgrade(engine)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path: Path):
    url = migrated_database_url(request, request.param, tmp_path)
    yield url
    # Each test has a database (schema) of its own: close its pooled connections now rather than at
    # the session's end, so hundreds of tests stay within the server's connection limit.
    get_engine(url).dispose()


@pytest.fixture
def engine(database_url):
    return get_engine(database_url)


@pytest.fixture
def fintrace_env(monkeypatch, tmp_path: Path, database_url: str):
    """Point every setting at temporary folders and the test database."""
    var = tmp_path / "var"
    monkeypatch.setenv("FINTRACE_VAR_DIR", str(var))
    monkeypatch.setenv("FINTRACE_DATABASE_URL", database_url)
    monkeypatch.setenv("DAGSTER_HOME", str(var / "dagster"))
    monkeypatch.delenv("FINTRACE_INBOX", raising=False)
    monkeypatch.delenv("FINTRACE_ARCHIVE", raising=False)
    monkeypatch.delenv("FINTRACE_API_TOKEN", raising=False)
    (var / "dagster").mkdir(parents=True)
    return var


@pytest.fixture(scope="session")
def ledger_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "ledger.csv"
    write_ledger(generate_ledger(2_000, seed=3), path)
    # Two rows a person would expect to be kept with their reason, not lost.
    with path.open("a") as handle:
        handle.write(
            "T-BAD-1,JE-999999,not a date,2024-01-01 10:00:00,,6100,Travel,alice,bob,Acme,INV-1,x,CC1,USD,12.00,\n"
        )
        handle.write("Grand total,,,,,,,,,,,,,,999999.00,999999.00\n")
    return path
