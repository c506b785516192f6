"""GET /api/review-queue/: a file's flagged entries (or, without entry numbers, its flagged transactions)
highest risk first, with counts of the whole queue by verdict, a filter by review state, paging, and
whether the caller may record verdicts; over the hand-built files of the verdict tests."""

import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.persistence import users
from fintrace_pipeline_tests.api.conftest import UNKNOWN, error, ok
from fintrace_pipeline_tests.api.routes.test_verdicts import post

EMPTY = {"queue": 0, "reviewed": 0, "unreviewed": 0, "confirmed": 0, "cleared": 0, "follow_up": 0}


def queue(client, file_id, **query):
    text = "&".join(f"{k}={v}" for k, v in query.items())
    return ok(client.get(f"/api/review-queue/?file_id={file_id}&{text}"))


def test_a_file_without_entries_queues_its_flagged_transactions_by_falling_risk(env):
    client, seeded = env
    body = queue(client, seeded.file_id)
    assert body["unit"] == "transaction" and body["note"] is None
    assert body["job_id"] == str(seeded.completed_job_id)
    # Rows 2, 3 and 4 are flagged; their risk scores are 80, 50 and 95.
    assert [item["row_number"] for item in body["items"]] == [4, 2, 3]
    assert body["items"][0]["findings"][0]["rule_code"] == "ROUND_AMOUNT"
    assert body["counts"] == {**EMPTY, "queue": 3, "unreviewed": 3}
    assert body["total"] == 3 and body["review"] is None
    assert body["reviewer"] == {"name": "local", "role": "admin"}
    assert body["may_record"] is True and body["record_refusal"] is None


def test_counts_and_filters_follow_the_newest_verdict_of_each_item(env):
    client, seeded = env
    file_id = str(seeded.file_id)
    ok(post(client, {"file_id": file_id, "row_number": 2, "verdict": "follow_up"}), 201)
    ok(post(client, {"file_id": file_id, "row_number": 2, "verdict": "confirmed", "comment": "paid twice"}), 201)
    ok(post(client, {"file_id": file_id, "row_number": 3, "verdict": "cleared"}), 201)
    ok(post(client, {"file_id": file_id, "row_number": 1, "verdict": "cleared"}), 201)  # not in the queue
    counts = {**EMPTY, "queue": 3, "reviewed": 2, "unreviewed": 1, "confirmed": 1, "cleared": 1}
    shown = {}
    for review in ("unreviewed", "reviewed", "confirmed", "cleared", "follow_up"):
        body = queue(client, file_id, review=review)
        assert body["counts"] == counts, review  # of the whole queue, whatever the filter
        assert body["total"] == len(body["items"]) and body["review"] == review
        shown[review] = [item["row_number"] for item in body["items"]]
    assert shown == {"unreviewed": [4], "reviewed": [2, 3], "confirmed": [2], "cleared": [3], "follow_up": []}
    confirmed = queue(client, file_id, review="confirmed")["items"][0]["verdict"]
    assert (confirmed["verdict"], confirmed["comment"]) == ("confirmed", "paid twice")
    paged = queue(client, file_id, limit=1, offset=1)
    assert [item["row_number"] for item in paged["items"]] == [2]
    assert (paged["total"], paged["limit"], paged["offset"]) == (3, 1, 1)


def test_a_file_with_entries_queues_its_flagged_entries_with_their_lines(journal_env):
    client, file_id = journal_env
    body = queue(client, file_id)
    assert body["unit"] == "entry"
    # JE-5 has no reason: it is not in the queue.
    assert [item["je_number"] for item in body["items"]] == ["JE-1", "JE-3", "JE-2", "+JE-4"]
    assert [line["row_number"] for line in body["items"][1]["lines"]] == [5, 7]
    assert body["counts"] == {**EMPTY, "queue": 4, "unreviewed": 4}
    ok(post(client, {"file_id": str(file_id), "je_number": "JE-3", "verdict": "follow_up", "comment": "ask AP"}), 201)
    # A verdict on a line is not one on its entry.
    ok(post(client, {"file_id": str(file_id), "row_number": 1, "verdict": "cleared"}), 201)
    after = queue(client, file_id, review="unreviewed")
    assert [item["je_number"] for item in after["items"]] == ["JE-1", "JE-2", "+JE-4"]
    assert after["counts"] == {**EMPTY, "queue": 4, "reviewed": 1, "unreviewed": 3, "follow_up": 1}
    (follow_up,) = queue(client, file_id, review="follow_up")["items"]
    assert (follow_up["je_number"], follow_up["verdict"]["comment"]) == ("JE-3", "ask AP")


def test_a_viewer_reads_the_queue_and_is_told_why_it_may_not_record(env):
    client, seeded = env
    engine = get_engine(seeded.settings.database_url)
    _, token = users.add_user(engine, seeded.settings.token_key(), "vic", "viewer", actor="test")
    with TestClient(create_app(seeded.settings)) as viewer:
        assert error(viewer.get(f"/api/review-queue/?file_id={seeded.file_id}"), 401)
        headers = {"Authorization": f"Bearer {token}"}
        body = ok(viewer.get(f"/api/review-queue/?file_id={seeded.file_id}", headers=headers))
        assert body["reviewer"] == {"name": "vic", "role": "viewer"}
        assert body["may_record"] is False
        assert body["record_refusal"] == "recording verdicts needs the reviewer role; vic is a viewer"
        assert [item["row_number"] for item in body["items"]] == [4, 2, 3]


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("", 400, "file_id is required"),
        (f"file_id={UNKNOWN}", 404, "no such data file"),
        ("file_id=@&review=done", 400, "review must be one of: unreviewed, reviewed, confirmed, cleared, follow_up"),
        ("file_id=@&limit=0", 400, "limit must be between 1 and 1000"),
        (f"file_id=@&job_id={UNKNOWN}", 404, "no such processing job for this file"),
    ],
)
def test_bad_parameters_are_refused_in_words(env, query, status, message):
    client, seeded = env
    assert error(client.get(f"/api/review-queue/?{query.replace('@', str(seeded.file_id))}"), status) == message
