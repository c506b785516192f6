"""Property-based run of every operation in /openapi.json (schemathesis): no server error, every
response matches the documented status codes and schemas, on SQLite and PostgreSQL."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 50


def operations(document: dict):
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture(scope="module")
def api_operations(client):
    return {op.label: op for op in operations(client.get("/openapi.json").json())}


def _text(value: str) -> str:
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _httpx_files(files: list) -> list:
    """requests-style multipart parts (any JSON value, lone surrogates) in the form httpx sends."""
    out = []
    for name, (file_name, content) in files:
        if not isinstance(content, bytes):
            content = _text(content if isinstance(content, str) else json.dumps(content)).encode()
        out.append((_text(name), (None if file_name is None else _text(file_name), content)))
    return out


OPERATION_LABELS = [
    "GET /api/processing-results/",
    "GET /api/analytics-results/",
    "GET /api/ml-processing-results/",
    "GET /api/processing-progress/",
    "GET /api/files/",
    "POST /api/files",
    "GET /api/flagged-transactions/",
    "GET /api/exports/",
    "GET /api/ping",
    "GET /healthz",
]


def test_every_operation_is_fuzzed(api_operations):
    assert set(api_operations) == set(OPERATION_LABELS)


@pytest.mark.parametrize("label", OPERATION_LABELS)
def test_operation_survives_generated_requests(client, api_operations, label):
    operation = api_operations[label]
    seen_statuses: set[int] = set()

    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def run(case):
        # Sent through the module's client: its event loop owns the pooled async connections.
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        if kwargs.get("files"):
            kwargs["files"] = _httpx_files(kwargs["files"])
        response = client.request(
            **{
                k: v
                for k, v in kwargs.items()
                if k in ("method", "url", "params", "headers", "content", "data", "files", "json", "cookies")
            }
        )
        seen_statuses.add(response.status_code)
        case.validate_response(
            response,
            checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        )

    run()
    assert all(status < 500 for status in seen_statuses)
