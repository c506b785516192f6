"""The OpenAPI document generated from the route docstrings: every path, parameter and answer shape."""

import pytest

from fintrace_pipeline.api.review_queue import ENTRY, TRANSACTION
from fintrace_pipeline.canonical import MAPPABLE, REQUIRED
from fintrace_pipeline.export_kinds import EXPORT_FORMATS, EXPORT_KINDS, REPORT_FORMATS
from fintrace_pipeline.ingest.mapping import BY_CONTENT, BY_HEADER, BY_USER
from fintrace_pipeline.persistence.audit import ACTIONS
from fintrace_pipeline.stages import ANALYTICS_TYPES, MODEL_TYPES
from fintrace_pipeline.status import JOB_STATES
from fintrace_pipeline.verdicts import REVIEW_STATES, VERDICTS
from fintrace_pipeline_tests.api.conftest import LEDGER

# The values each enumerated query parameter takes, as the registries define them (one list per
# distinct parameter of that name: exports and reports each have their own formats).
PARAMETER_ENUMS = {
    "analytics_type": [[*ANALYTICS_TYPES, "all"]],
    "model_type": [[*MODEL_TYPES, "all"]],
    "status": [list(JOB_STATES)],
    "what": [list(EXPORT_KINDS)],
    "format": [list(EXPORT_FORMATS), list(REPORT_FORMATS)],
    "verdict": [list(VERDICTS)],
    "review": [list(REVIEW_STATES)],
    "history": [["true", "false", "1", "0"]],
    "action": [list(ACTIONS)],
}
# The values of each enumerated field of the answers (nullable ones also take null).
FIELD_ENUMS = {
    "analytics_type": list(ANALYTICS_TYPES),
    "model_type": list(MODEL_TYPES),
    "status": list(JOB_STATES),
    "latest_job_status": [*JOB_STATES, None],
    "canonical": list(MAPPABLE),
    "mappable_columns": list(MAPPABLE),
    "missing": list(REQUIRED),
    "decided_by": [BY_USER, BY_HEADER, BY_CONTENT],
    "verdict": list(VERDICTS),
    "action": list(ACTIONS),
    "unit": [ENTRY, TRANSACTION],
    "review": [*REVIEW_STATES, None],
}


def test_openapi_describes_every_endpoint_and_parameter(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/processing-results/",
        "/api/analytics-results/",
        "/api/ml-processing-results/",
        "/api/processing-progress/",
        "/api/processing-progress/stream",
        "/api/files",
        "/api/files/",
        "/api/files/preview",
        "/api/files/{data_file_id}",
        "/api/flagged-transactions/",
        "/api/flagged-entries/",
        "/api/exports/",
        "/api/reports/",
        "/api/sources/",
        "/api/sample/",
        "/api/file-comparison/",
        "/api/source-trends/",
        "/api/references",
        "/api/verdicts/",
        "/api/review-queue/",
        "/api/audit-log/",
        "/api/ping",
        "/healthz",
    }
    for flagged_path in ("/api/flagged-transactions/", "/api/flagged-entries/"):
        flagged = {p["name"] for p in paths[flagged_path]["get"]["parameters"]}
        assert flagged == {"file_id", "job_id", "min_risk", "rule", "limit", "offset"}
    assert "multipart/form-data" in paths["/api/files"]["post"]["requestBody"]["content"]


def test_every_parameter_is_described_and_every_api_route_needs_the_token(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{method} {path} {parameter['name']}"
            protected = path.startswith("/api/")
            assert (operation.get("security") == [{"bearer": []}]) == protected, f"{method} {path}"
            assert ("401" in operation["responses"]) == protected, f"{method} {path}"
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    upload = document["paths"]["/api/files"]["post"]["responses"]
    assert {"200", "201", "400", "409", "413", "415", "503"} <= set(upload)


@pytest.mark.parametrize(
    "path, schema, keys",
    [
        ("/api/processing-results/", "ProcessingResultsResponse", {"processing_summary"}),
        ("/api/analytics-results/", "AnalyticsResultsResponse", {"results"}),
        ("/api/ml-processing-results/", "MlResultsResponse", {"results"}),
        ("/api/processing-progress/", "ProgressResponse", {"progress"}),
    ],
)
def test_the_seed_endpoints_document_their_answer_shapes(document, path, schema, keys):
    ok = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": f"#/components/schemas/{schema}"}
    assert keys <= set(document["components"]["schemas"][schema]["required"])
    schemas = document["components"]["schemas"]
    summary = schemas["ProcessingResultsResponse"]["properties"]["processing_summary"]
    assert {"analytics_results", "ml_results", "progress", "data_file", "job"} <= set(summary["required"])
    assert {"overall_progress", "current_step", "status", "steps"} <= set(schemas["Progress"]["required"])
    detailed = schemas["AnalyticsResult"]["allOf"][1]["properties"]["detailed_results"]
    assert {"trial_balance_data", "expense_breakdown", "user_patterns"} <= set(detailed["required"])
    ml_detailed = schemas["MlResult"]["allOf"][1]["properties"]["detailed_results"]
    assert "model_metrics" in ml_detailed["required"]


def test_every_documented_operation_is_served(client, seeded, document):
    known = {
        "file_id": str(seeded.file_id),
        "job_id": str(seeded.completed_job_id),
        "what": "scores",
        "size": "5",
        "source": "default",
    }
    served = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            query = {name: value for name, value in known.items() if name in names}
            if path == "/api/reports/":
                query["format"] = "pdf"
            if path == "/api/verdicts/" and method == "post":
                verdict = {"file_id": str(seeded.file_id), "row_number": 1, "verdict": "cleared"}
                response = client.post(path, json=verdict, follow_redirects=False)
            elif path == "/api/references" and method == "post":
                data = {"kind": "employees", "source": "served"}
                response = client.post(path, files={"file": ("staff.csv", LEDGER)}, data=data, follow_redirects=False)
            elif method == "post":
                response = client.post(path, files={"file": ("served.csv", LEDGER)}, follow_redirects=False)
            else:
                response = client.request(method.upper(), path, params=query, follow_redirects=False)
            served[f"{method.upper()} {path}"] = response.status_code
    assert served == {
        "GET /api/processing-results/": 200,
        "GET /api/analytics-results/": 200,
        "GET /api/ml-processing-results/": 200,
        "GET /api/processing-progress/": 200,
        "GET /api/processing-progress/stream": 200,
        "POST /api/files": 201,
        "GET /api/files/": 200,
        "POST /api/files/preview": 200,
        "DELETE /api/files/{data_file_id}": 400,  # the path's placeholder is no data file id
        "GET /api/flagged-transactions/": 200,
        "GET /api/flagged-entries/": 200,
        "GET /api/exports/": 200,
        "GET /api/reports/": 200,
        "GET /api/sources/": 200,
        # The seeded rows are stored without an ingest record (no column mapping): nothing to sample by.
        "GET /api/sample/": 404,
        "GET /api/file-comparison/": 200,
        "GET /api/source-trends/": 200,
        "POST /api/references": 201,
        "GET /api/references": 200,
        "POST /api/verdicts/": 201,
        "GET /api/verdicts/": 200,
        "GET /api/review-queue/": 200,
        "GET /api/audit-log/": 200,
        "GET /api/ping": 200,
        "GET /healthz": 200,
    }


def _enums(node, path=()):
    """(path, enum) of every enumeration below ``node``."""
    if isinstance(node, dict):
        if "enum" in node:
            yield path, node["enum"]
        for key, value in node.items():
            yield from _enums(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _enums(value, (*path, index))


def test_parameter_enums_are_the_registry_values(document):
    found = {}
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if "enum" in parameter["schema"]:
                    found.setdefault(parameter["name"], []).append(parameter["schema"]["enum"])
    assert found == PARAMETER_ENUMS


def test_every_enumerated_answer_field_lists_a_registry(document):
    checked = set()
    for path, values in _enums(document["components"]["schemas"]):
        if len([v for v in values if v is not None]) == 1:
            continue  # a constant: success true/false, status "ok", ping "pong"
        field = path[-2] if path[-1] == "items" else path[-1]  # an array's values are named by the array
        assert values == FIELD_ENUMS[field], "/".join(map(str, path))
        checked.add(field)
    assert checked == set(FIELD_ENUMS)
