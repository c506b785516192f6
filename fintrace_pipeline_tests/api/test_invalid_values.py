"""Values no database column can hold (NUL characters, lone surrogates) and values the database
refuses are the caller's mistake: 400, never a 500, on SQLite and PostgreSQL."""

import json

import pytest
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.api.routes_results import database
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline_tests.api.test_read_endpoints import error
from fintrace_pipeline_tests.api.test_upload import inbox_listing

TEXT_PARAMETERS = [
    "/api/flagged-transactions/?file_id={file}&rule=%00",
    "/api/flagged-transactions/?file_id={file}&rule=DUP%00EXACT",
    "/api/analytics-results/?file_id={file}&analytics_type=all%00",
    "/api/ml-processing-results/?file_id={file}&model_type=%00",
    "/api/files/?status=FAILED%00",
    "/api/exports/?file_id={file}&what=scores%00",
    "/api/exports/?file_id={file}&what=scores&format=csv%00",
    "/api/processing-results/?file_id={file}%00",
    "/api/processing-progress/?job_id=%00",
    "/api/files/?limit=1%00",
    "/api/flagged-transactions/?file_id={file}&min_risk=1%00",
]


@pytest.mark.parametrize("path", TEXT_PARAMETERS)
def test_a_nul_character_in_a_query_parameter_is_400(client, seeded, path):
    error(client.get(path.format(file=seeded.file_id)), 400)


def test_the_rule_filter_names_the_nul_character(client, seeded):
    message = error(client.get(f"/api/flagged-transactions/?file_id={seeded.file_id}&rule=%00"), 400)
    assert "rule" in message and "NUL" in message


@pytest.mark.parametrize(
    "mapping_text",
    [
        json.dumps({"amount": "Amount\u0000"}),
        json.dumps({"amount\u0000": "Amount"}),
        '{"amount": "\\ud800"}',  # an unpaired surrogate: not UTF-8, so no database can store it
    ],
)
def test_a_mapping_the_database_cannot_store_is_400_and_leaves_nothing_behind(client, seeded, mapping_text):
    content = f"Date,Amount\n2024-01-02,1.00\n{mapping_text!r}\n".encode()
    response = client.post("/api/files", files={"file": ("m.csv", content)}, data={"mapping": mapping_text})
    assert "mapping" in error(response, 400)
    assert inbox_listing(seeded.settings) == []


def test_a_value_the_database_refuses_is_400_not_500(seeded):
    """The backstop behind parameter validation, through both drivers the API uses."""
    if not seeded.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite stores any value and divides by zero into NULL")
    app = create_app(seeded.settings)

    async def through_the_read_engine(request: Request) -> Response:
        value = request.query_params["n"]
        await database(request).read(lambda c: c.execute(text("SELECT CAST(:n AS INTEGER) / 0"), {"n": value}).all())
        return Response("unreachable")

    def through_the_sync_engine(request: Request) -> Response:
        with get_engine(seeded.settings.database_url).connect() as connection:
            connection.execute(text("SELECT CAST(:n AS INTEGER) / 0"), {"n": request.query_params["n"]}).all()
        return Response("unreachable")

    app.router.routes.append(Route("/api/read-probe", through_the_read_engine))
    app.router.routes.append(Route("/api/sync-probe", through_the_sync_engine))
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/api/read-probe?n=abc", "/api/read-probe?n=1", "/api/sync-probe?n=99999999999"):
            assert "cannot accept" in error(client.get(path), 400)
