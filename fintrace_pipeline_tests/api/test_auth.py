"""Authentication guards every /api/ route, and only those; each role may do what it allows."""

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.persistence.users import add_user, revoke_user
from fintrace_pipeline_tests.api.conftest import (
    LEDGER,
    error,
    eventually,
    make_settings,
    ok,
    seed,
    unique,
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


# -- users and roles: each test on a database of its own, since a first user closes the API for good ---


@pytest.fixture
def review_env(database_url, tmp_path):
    """A seeded database of the test's own and a client over it; no user yet."""
    settings = make_settings(tmp_path / "var", database_url)
    seeded = seed(settings, tmp_path)
    with TestClient(create_app(settings)) as client:
        yield client, seeded


def add(seeded, name: str, role: str) -> dict[str, str]:
    _, token = add_user(get_engine(seeded.settings.database_url), seeded.settings.token_key(), name, role, actor="test")
    return {"Authorization": f"Bearer {token}"}


def actions(seeded, tmp_path) -> dict[str, Callable]:
    """What each role may or may not do, as requests."""
    verdict = {"file_id": str(seeded.file_id), "row_number": 4, "verdict": "confirmed"}
    return {
        "read files": lambda c, h: c.get("/api/files/", headers=h),
        "read results": lambda c, h: c.get(f"/api/processing-results/?file_id={seeded.file_id}", headers=h),
        "read sources": lambda c, h: c.get("/api/sources/", headers=h),
        "read verdicts": lambda c, h: c.get(f"/api/verdicts/?file_id={seeded.file_id}", headers=h),
        "upload": lambda c, h: c.post("/api/files", files={"file": ("u.csv", unique(LEDGER, tmp_path))}, headers=h),
        "record verdicts": lambda c, h: c.post("/api/verdicts/", json=verdict, headers=h),
        "read the audit log": lambda c, h: c.get("/api/audit-log/", headers=h),
    }


READS = ("read files", "read results", "read sources", "read verdicts")
EXPECTED = {
    "viewer": {**dict.fromkeys(READS, 200), "upload": 403, "record verdicts": 403, "read the audit log": 403},
    "reviewer": {**dict.fromkeys(READS, 200), "upload": 201, "record verdicts": 201, "read the audit log": 403},
    "admin": {**dict.fromkeys(READS, 200), "upload": 201, "record verdicts": 201, "read the audit log": 200},
}


def test_without_users_or_api_token_the_api_is_open_as_the_local_admin(review_env, tmp_path):
    client, seeded = review_env
    for name, request in actions(seeded, tmp_path).items():
        assert request(client, {}).status_code in (200, 201), name
    # Credentials are not looked at while the API is open.
    assert client.get("/api/files/", headers={"Authorization": "Bearer anything"}).status_code == 200
    entries = ok(client.get("/api/audit-log/"))["entries"]
    assert {(e["actor"], e["action"]) for e in entries} == {("local", "file.upload"), ("local", "verdict.record")}
    # The first user closes it, for the running app too (within a second).
    add(seeded, "alice", "viewer")
    eventually(lambda: client.get("/api/files/").status_code, 401, "the API once a user exists")
    assert "bearer token" in error(client.get("/api/files/"), 401)


@pytest.mark.parametrize("role", ["viewer", "reviewer", "admin"])
def test_each_role_may_do_what_it_allows_and_gets_403_for_the_rest(review_env, tmp_path, role):
    client, seeded = review_env
    headers = add(seeded, f"someone-{role}", role)
    answered = {name: request(client, headers).status_code for name, request in actions(seeded, tmp_path).items()}
    assert answered == EXPECTED[role]
    if role == "viewer":
        message = error(actions(seeded, tmp_path)["record verdicts"](client, headers), 403)
        assert message == "recording verdicts needs the reviewer role; someone-viewer is a viewer"
        assert "admin role" in error(client.get("/api/audit-log/", headers=headers), 403)


def test_verdicts_and_uploads_are_recorded_under_the_users_name(review_env, tmp_path):
    client, seeded = review_env
    reviewer = add(seeded, "rita", "reviewer")
    admin = add(seeded, "adam", "admin")
    body = ok(actions(seeded, tmp_path)["record verdicts"](client, reviewer), 201)
    assert body["verdicts"][0]["reviewer"] == "rita"
    ok(actions(seeded, tmp_path)["upload"](client, reviewer), 201)
    entries = ok(client.get("/api/audit-log/?actor=rita", headers=admin))["entries"]
    assert [e["action"] for e in entries] == ["file.upload", "verdict.record"]
    users_added = ok(client.get("/api/audit-log/?action=user.add", headers=admin))["entries"]
    assert {(e["actor"], e["target_id"]) for e in users_added} == {("test", "rita"), ("test", "adam")}


def test_missing_unknown_malformed_and_revoked_tokens_are_401(review_env):
    client, seeded = review_env
    good = add(seeded, "vera", "viewer")
    assert client.get("/api/files/", headers=good).status_code == 200
    for headers in (
        {},
        {"Authorization": "Bearer ft_not-a-token"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": good["Authorization"].replace("Bearer ", "Basic ")},
        {"Authorization": good["Authorization"] + "x"},
        {"Authorization": "Bearer ft_" + "x" * 500},
    ):
        response = client.get("/api/files/", headers=headers)
        assert error(response, 401) == "missing or invalid bearer token", headers
        assert response.headers["www-authenticate"] == "Bearer"
    revoke_user(get_engine(seeded.settings.database_url), "vera", actor="test")
    error(client.get("/api/files/", headers=good), 401)


def test_the_api_token_stays_an_admin_token_beside_users(database_url, tmp_path):
    settings = make_settings(tmp_path / "var", database_url, api_token="s3cret-admin")
    seeded = seed(settings, tmp_path)
    viewer = add(seeded, "val", "viewer")
    with TestClient(create_app(settings)) as client:
        assert ok(client.get("/api/audit-log/", headers={"Authorization": "Bearer s3cret-admin"}))["total"] == 1
        error(client.get("/api/audit-log/", headers=viewer), 403)
        error(client.get("/api/audit-log/"), 401)


def test_the_openapi_document_gives_403_exactly_to_routes_that_need_more_than_a_viewer(document):
    forbidden = {
        f"{method.upper()} {path}": operation["responses"]["403"]["description"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "403" in operation["responses"]
    }
    assert forbidden == {
        "POST /api/files": "The token's role is below reviewer, the least role for uploading files",
        "POST /api/files/preview": "The token's role is below reviewer, the least role for uploading files",
        "DELETE /api/files/{data_file_id}": "The token's role is below admin, the least role for deleting files",
        "POST /api/verdicts/": "The token's role is below reviewer, the least role for recording verdicts",
        "POST /api/references": "The token's role is below reviewer, the least role for uploading reference lists",
        "GET /api/audit-log/": "The token's role is below admin, the least role for reading the audit log",
    }
