"""Every failure answers JSON: the catch-all 500, database outages as 503, values the database
refuses as 400; never a stack trace."""

import dataclasses

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline_tests.api.conftest import (
    add_probe_route,
    error,
    ok,
)
from fintrace_pipeline_tests.tcp_proxy import TcpProxy


def test_unexpected_errors_answer_json_500_without_internals(seeded):
    app = create_app(seeded.settings)

    async def broken(_request) -> Response:
        raise RuntimeError("secret internal detail")

    add_probe_route(app, "/api/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/broken")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "internal server error"}
    assert "secret" not in response.text


def test_unreachable_database_answers_503(seeded, postgres_url):
    refused = make_url(postgres_url).set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    settings = dataclasses.replace(seeded.settings, database_url=refused)
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert "unavailable" in error(client.get(f"/api/processing-progress/?job_id={seeded.completed_job_id}"), 503)
        error(client.get(f"/api/processing-results/?file_id={seeded.file_id}"), 503)
        error(client.get("/api/files/"), 503)
        error(client.post("/api/files", files={"file": ("x.csv", b"a,b\n1,2\n")}), 503)
        # Whether the API is open (no user yet) is the database's to say: without it, even ping is 503.
        assert "unavailable" in error(client.get("/api/ping"), 503)
    # The app itself stays up: a request it can authenticate without the database is answered.
    with TestClient(create_app(dataclasses.replace(settings, api_token="s3cret"))) as client:
        assert client.get("/api/ping", headers={"Authorization": "Bearer s3cret"}).status_code == 200


@pytest.fixture
def proxy(postgres_url):
    target = make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    proxy.start()
    yield proxy
    proxy.stop()


def test_the_same_app_answers_503_during_an_outage_and_200_once_the_database_is_back(seeded, postgres_url, proxy):
    """The database goes away under a running app (open connections severed, new ones refused) and
    comes back on the same address: no restart, no mocked database."""
    through_proxy = make_url(postgres_url).set(port=proxy.port).render_as_string(hide_password=False)
    settings = dataclasses.replace(seeded.settings, database_url=through_proxy)
    # Each through SQLAlchemy: the async read engine, or the sync engine for the download.
    paths = [
        f"/api/analytics-results/?file_id={seeded.file_id}",
        f"/api/ml-processing-results/?file_id={seeded.file_id}",
        f"/api/flagged-transactions/?file_id={seeded.file_id}",
        "/api/files/",
    ]
    export = f"/api/exports/?file_id={seeded.file_id}&what=scores"
    with TestClient(create_app(settings)) as client:
        for path in paths:
            ok(client.get(path))
        assert client.get(export).status_code == 200
        proxy.stop()
        for path in [*paths, export]:
            assert "unavailable" in error(client.get(path), 503)
        assert client.get("/healthz").status_code == 503
        proxy.start()
        results = ok(client.get(paths[0]))["results"]
        assert {r["analytics_type"] for r in results} == {
            "default_analytics",
            "duplicate_analysis",
            "anomaly_detection",
        }
        for path in paths[1:]:
            ok(client.get(path))
        assert client.get(export).status_code == 200
        assert ok(client.get(f"/api/processing-results/?file_id={seeded.file_id}"))["processing_summary"]
        assert client.get("/healthz").status_code == 200


def test_a_value_the_database_refuses_is_400_not_500(seeded):
    """The backstop behind parameter validation, through both drivers the API uses."""
    if not seeded.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite stores any value and divides by zero into NULL")
    app = create_app(seeded.settings)

    async def through_the_read_engine(request: Request) -> Response:
        value = request.query_params["n"]
        await request.app.state.database.read(
            lambda c: c.execute(text("SELECT CAST(:n AS INTEGER) / 0"), {"n": value}).all()
        )
        return Response("unreachable")

    def through_the_sync_engine(request: Request) -> Response:
        with get_engine(seeded.settings.database_url).connect() as connection:
            connection.execute(text("SELECT CAST(:n AS INTEGER) / 0"), {"n": request.query_params["n"]}).all()
        return Response("unreachable")

    add_probe_route(app, "/api/read-probe", through_the_read_engine)
    add_probe_route(app, "/api/sync-probe", through_the_sync_engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/api/read-probe?n=abc", "/api/read-probe?n=1", "/api/sync-probe?n=99999999999"):
            assert "cannot accept" in error(client.get(path), 400)
