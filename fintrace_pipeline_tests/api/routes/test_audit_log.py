"""GET /api/audit-log/: newest first, filtered by action, actor and time, paged."""

import time
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.persistence import audit
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline_tests.api.conftest import error, make_settings, ok


@pytest.fixture
def env(database_url, tmp_path):
    settings = make_settings(tmp_path / "var", database_url)
    engine = get_engine(database_url)
    moments = []
    for actor, action, target in (
        ("alice", audit.USER_ADD, "bob"),
        ("alice", audit.USER_ADD, "carol"),
        ("bob", audit.VERDICT_RECORD, "f1"),
        ("alice", audit.USER_REVOKE, "bob"),
    ):
        with engine.begin() as connection:
            audit.record(connection, audit.AuditEntry(actor, action, "user", target, {"n": 1}, {"n": 2}))
        moments.append(utcnow())
        time.sleep(0.005)
    with TestClient(create_app(settings)) as client:
        yield client, moments


def targets(body) -> list[str]:
    return [entry["target_id"] for entry in body["entries"]]


def test_entries_newest_first_with_what_changed(env):
    client, _ = env
    body = ok(client.get("/api/audit-log/"))
    assert body["total"] == 4 and targets(body) == ["bob", "f1", "carol", "bob"]
    newest = body["entries"][0]
    assert {k: newest[k] for k in ("actor", "action", "target_type", "before", "after")} == {
        "actor": "alice",
        "action": "user.revoke",
        "target_type": "user",
        "before": {"n": 1},
        "after": {"n": 2},
    }


def test_filters_and_paging(env):
    client, moments = env
    assert targets(ok(client.get("/api/audit-log/?action=user.add"))) == ["carol", "bob"]
    assert targets(ok(client.get("/api/audit-log/?actor=bob"))) == ["f1"]
    assert targets(ok(client.get("/api/audit-log/?actor=alice&action=user.revoke"))) == ["bob"]
    since = moments[1].isoformat()
    assert targets(ok(client.get("/api/audit-log/", params={"since": since}))) == ["bob", "f1"]
    # An offset is honoured: the same moment written in UTC+02:00.
    shifted = (moments[1] + timedelta(hours=2)).isoformat() + "+02:00"
    assert targets(ok(client.get("/api/audit-log/", params={"since": shifted}))) == ["bob", "f1"]
    page = ok(client.get("/api/audit-log/?limit=2&offset=1"))
    assert (page["total"], targets(page)) == (4, ["f1", "carol"])


@pytest.mark.parametrize(
    "query, message",
    [
        ("action=user.delete", "action must be one of"),
        ("since=yesterday", "since must be an ISO 8601 date or time"),
        ("limit=0", "limit must be between 1 and 1000"),
        ("actor=" + "x" * 65, "actor must be at most 64 characters"),
    ],
)
def test_bad_filters_are_400(env, query, message):
    client, _ = env
    assert message in error(client.get(f"/api/audit-log/?{query}"), 400)
