"""Bearer token, CORS, health check, database outages and the catch-all error handler."""

import dataclasses

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.api.db import async_url
from fintrace_pipeline_tests.api.test_read_endpoints import error, ok
from fintrace_pipeline_tests.tcp_proxy import TcpProxy


@pytest.fixture
def secured(seeded):
    settings = dataclasses.replace(seeded.settings, api_token="s3cret", cors_origins=("https://audit.example",))
    with TestClient(create_app(settings)) as client:
        yield client


def test_api_routes_need_the_bearer_token(secured, seeded):
    path = f"/api/processing-progress/?job_id={seeded.completed_job_id}"
    assert "bearer token" in error(secured.get(path), 401)
    error(secured.get(path, headers={"Authorization": "Bearer wrong"}), 401)
    error(secured.get(path, headers={"Authorization": "s3cret"}), 401)
    assert secured.get(path).headers["www-authenticate"] == "Bearer"
    assert ok(secured.get(path, headers={"Authorization": "Bearer s3cret"}))["progress"]["status"] == "COMPLETED"
    error(secured.post("/api/files", files={"file": ("a.csv", b"1")}), 401)


def test_health_and_openapi_stay_open_with_a_token(secured):
    assert secured.get("/healthz").json()["status"] == "ok"
    assert "/api/files/" in secured.get("/openapi.json").json()["paths"]


def test_cors_headers_for_configured_origins_only(secured):
    allowed = secured.get("/healthz", headers={"Origin": "https://audit.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://audit.example"
    other = secured.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = secured.options(
        "/api/files/",
        headers={
            "Origin": "https://audit.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    unauthorised = secured.get("/api/files/", headers={"Origin": "https://audit.example"})
    assert unauthorised.status_code == 401
    assert unauthorised.headers["access-control-allow-origin"] == "https://audit.example"


def test_no_cors_headers_by_default(client):
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": "https://x.example"}).headers


def test_healthz_ok(client):
    assert client.get("/healthz").json() == {"success": True, "status": "ok"}


def test_openapi_describes_every_endpoint_and_parameter(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/processing-results/",
        "/api/analytics-results/",
        "/api/ml-processing-results/",
        "/api/processing-progress/",
        "/api/files",
        "/api/files/",
        "/api/flagged-transactions/",
        "/api/exports/",
        "/api/ping",
        "/healthz",
    }
    flagged = {p["name"] for p in paths["/api/flagged-transactions/"]["get"]["parameters"]}
    assert flagged == {"file_id", "job_id", "min_risk", "rule", "limit", "offset"}
    assert "multipart/form-data" in paths["/api/files"]["post"]["requestBody"]["content"]


def test_unexpected_errors_answer_json_500_without_internals(seeded):
    app = create_app(seeded.settings)

    async def broken(_request) -> Response:
        raise RuntimeError("secret internal detail")

    app.router.routes.append(Route("/api/broken", broken))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/broken")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "internal server error"}
    assert "secret" not in response.text


def test_async_url_swaps_the_driver():
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert async_url("postgresql+psycopg2://u:p@h:5/db?options=-csearch_path%3Ds") == "postgresql+asyncpg://u:p@h:5/db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"


@pytest.fixture
def postgres_url(module_database_url):
    if not module_database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL outage")
    return module_database_url


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
        assert client.get("/api/ping").status_code == 200


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
