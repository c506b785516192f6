"""The API's database access: async driver URLs, and pools that survive killed connections."""

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.api.db import async_url
from fintrace_pipeline_tests.api.conftest import (
    ok,
)


def test_async_url_swaps_the_driver():
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert async_url("postgresql+psycopg2://u:p@h:5/db?options=-csearch_path%3Ds") == "postgresql+asyncpg://u:p@h:5/db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_the_app_recovers_when_its_connections_are_killed(seeded, postgres_url):
    path = f"/api/processing-progress/?job_id={seeded.completed_job_id}"
    with TestClient(create_app(seeded.settings)) as client:
        # Fill the pool with several connections, then kill every one of them server-side.
        for _ in range(3):
            ok(client.get(path))
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        database = make_url(postgres_url).database
        with admin.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid() AND application_name <> 'psql'"
                ),
                {"db": database},
            ).scalar_one()
        admin.dispose()
        assert killed >= 1
        # pool_pre_ping notices the dead connections: no request fails.
        for _ in range(5):
            assert ok(client.get(path))["progress"]["status"] == "COMPLETED"
        assert client.get("/healthz").status_code == 200
