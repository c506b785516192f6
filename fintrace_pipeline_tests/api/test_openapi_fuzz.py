"""Property-based run of every operation in /openapi.json (schemathesis): no server error, every
response matches the documented status codes and schemas, on SQLite and PostgreSQL. Some generated
requests name the seeded file and its completed job, so success bodies are checked as well as errors."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
def api_operations(document):
    return {op.label: op for op in operations(document)}


def query_parameter_names(document: dict, label: str) -> set[str]:
    method, path = label.split(" ", 1)
    return {p["name"] for p in document["paths"][path][method.lower()].get("parameters", []) if p["in"] == "query"}


def name_known_ids(case, names: set[str], known: str, seeded) -> None:
    """Point a generated request at the seeded file (and, for "file+job", its completed job)."""
    query = dict(case.query or {})
    if "file_id" in names:
        query["file_id"] = str(seeded.file_id)
    if "job_id" in names and (known == "file+job" or "file_id" not in names):
        query["job_id"] = str(seeded.completed_job_id)
    case.query = query


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
    "GET /api/processing-progress/stream",
    "GET /api/files/",
    "POST /api/files",
    "DELETE /api/files/{data_file_id}",
    "POST /api/files/preview",
    "GET /api/flagged-transactions/",
    "GET /api/flagged-entries/",
    "GET /api/exports/",
    "GET /api/reports/",
    "GET /api/sources/",
    "GET /api/file-comparison/",
    "GET /api/source-trends/",
    "POST /api/references",
    "GET /api/references",
    "POST /api/verdicts/",
    "GET /api/verdicts/",
    "GET /api/review-queue/",
    "GET /api/audit-log/",
    "GET /api/sample/",
    "GET /api/ping",
    "GET /healthz",
]


def test_every_operation_is_fuzzed(api_operations):
    assert set(api_operations) == set(OPERATION_LABELS)


@pytest.mark.parametrize("label", OPERATION_LABELS)
def test_operation_survives_generated_requests(client, seeded, document, api_operations, label):
    operation = api_operations[label]
    names = query_parameter_names(document, label)
    seen_statuses: set[int] = set()

    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(), known=st.sampled_from(["", "file", "file+job"]))
    def run(case, known):
        if known and names & {"file_id", "job_id"}:
            name_known_ids(case, names, known, seeded)
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
