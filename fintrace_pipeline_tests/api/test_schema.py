"""The OpenAPI document generated from the route docstrings: every path, parameter and answer shape."""

import pytest


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
