"""The bearer token guards every /api/ route, and only those."""

from fintrace_pipeline_tests.api.conftest import (
    error,
    ok,
)


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
