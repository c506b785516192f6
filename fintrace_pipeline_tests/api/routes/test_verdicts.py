"""POST and GET /api/verdicts/, and the verdicts shown in the flagged transactions and the scores
export, against the seeded file (rows 1-5, T1-T5; rows 2, 3 and 4 flagged)."""

import csv
import io
import json

import pytest

from fintrace_pipeline_tests.api.conftest import UNKNOWN, error, ok


def post(client, body):
    return client.post("/api/verdicts/", content=json.dumps(body), headers={"Content-Type": "application/json"})


def test_one_verdict_or_a_list_is_recorded_and_answered_in_order(env):
    client, seeded = env
    file_id = str(seeded.file_id)
    one = ok(post(client, {"file_id": file_id, "row_number": 4, "verdict": "follow_up", "comment": " ask AP "}), 201)
    assert one["recorded"] == 1
    (stored,) = one["verdicts"]
    assert {k: stored[k] for k in ("file_id", "row_number", "je_number", "verdict", "comment", "reviewer")} == {
        "file_id": file_id,
        "row_number": 4,
        "je_number": None,
        "verdict": "follow_up",
        "comment": "ask AP",
        "reviewer": "local",
    }
    many = ok(
        post(
            client,
            [
                {"file_id": file_id, "transaction_id": "T2", "verdict": "confirmed", "comment": "paid twice"},
                {"file_id": file_id, "row_number": 4, "verdict": "confirmed"},
            ],
        ),
        201,
    )
    assert [(v["row_number"], v["verdict"]) for v in many["verdicts"]] == [(2, "confirmed"), (4, "confirmed")]


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "the body must be JSON"),
        ([], "the list holds no verdict"),
        ("plain", "a verdict object or a list"),
        ({"row_number": 1, "verdict": "cleared"}, "file_id must be the UUID of a data file"),
        ({"file_id": "x", "row_number": 1, "verdict": "cleared"}, "file_id must be the UUID"),
        ({"file_id": "@", "verdict": "cleared"}, "name exactly one of row_number, transaction_id or je_number"),
        ({"file_id": "@", "row_number": 1, "je_number": "J", "verdict": "cleared"}, "exactly one"),
        ({"file_id": "@", "row_number": 0, "verdict": "cleared"}, "row_number must be a whole number from 1"),
        ({"file_id": "@", "row_number": True, "verdict": "cleared"}, "row_number must be a whole number"),
        ({"file_id": "@", "transaction_id": "", "verdict": "cleared"}, "transaction_id must be text"),
        ({"file_id": "@", "je_number": "JE\u0000", "verdict": "cleared"}, "je_number must be text"),
        ({"file_id": "@", "row_number": 1, "verdict": "fraud"}, "verdict must be one of confirmed, cleared, follow_up"),
        ({"file_id": "@", "row_number": 1, "verdict": "cleared", "comment": 5}, "comment must be text"),
        ({"file_id": "@", "row_number": 1, "verdict": "cleared", "comment": "x" * 2001}, "at most 2000"),
        ({"file_id": "@", "row_number": 1, "verdict": "cleared", "reviewer": "me"}, "unknown field 'reviewer'"),
    ],
)
def test_a_bad_verdict_is_400_with_its_reason_and_nothing_is_stored(env, body, message):
    client, seeded = env
    text = body if isinstance(body, str) and body != "plain" else json.dumps(body).replace('"@"', f'"{seeded.file_id}"')
    response = client.post("/api/verdicts/", content=text, headers={"Content-Type": "application/json"})
    assert message in error(response, 400)
    assert ok(client.get(f"/api/verdicts/?file_id={seeded.file_id}"))["total"] == 0


def test_a_list_names_the_bad_item_and_stores_none_of_it(env):
    client, seeded = env
    good = {"file_id": str(seeded.file_id), "row_number": 1, "verdict": "cleared"}
    items = [good, good, {**good, "verdict": "nope"}]
    assert error(post(client, items), 400).startswith("item 3 of 3: verdict must be one of")
    unknown_row = [good, {**good, "row_number": 99}]
    assert error(post(client, unknown_row), 404) == "item 2 of 2: the file has no row 99"
    unknown_file = [good, {**good, "file_id": UNKNOWN}]
    assert error(post(client, unknown_file), 404) == f"item 2 of 2: no such data file {UNKNOWN}"
    assert error(post(client, {**good, "je_number": "JE-1", "row_number": None}), 404) == (
        "the file has no journal entry 'JE-1'"
    )
    assert error(post(client, {**good, "transaction_id": "T9", "row_number": None}), 404) == (
        "the file has no transaction_id 'T9'"
    )
    assert ok(client.get(f"/api/verdicts/?file_id={seeded.file_id}"))["total"] == 0


def test_an_oversized_body_is_413(env):
    client, seeded = env
    item = {"file_id": str(seeded.file_id), "row_number": 1, "verdict": "cleared", "comment": "x" * 1900}
    assert "several requests" in error(post(client, [item] * 2300), 413)


def test_the_newest_verdict_per_target_with_counts_filter_and_history(env):
    client, seeded = env
    file_id = str(seeded.file_id)
    for verdict in ("follow_up", "cleared", "confirmed"):
        ok(post(client, {"file_id": file_id, "row_number": 2, "verdict": verdict, "comment": verdict}), 201)
    ok(post(client, {"file_id": file_id, "transaction_id": "T5", "verdict": "cleared"}), 201)
    body = ok(client.get(f"/api/verdicts/?file_id={file_id}"))
    assert body["counts"] == {"confirmed": 1, "cleared": 1, "follow_up": 0}
    assert body["total"] == 2 and body["file_id"] == file_id
    assert [(v["row_number"], v["transaction_id"], v["verdict"]) for v in body["verdicts"]] == [
        (5, "T5", "cleared"),  # newest first
        (2, "T2", "confirmed"),
    ]
    assert "history" not in body["verdicts"][0]
    with_history = ok(client.get(f"/api/verdicts/?file_id={file_id}&history=true&verdict=confirmed"))
    (row_2,) = with_history["verdicts"]
    assert [h["comment"] for h in row_2["history"]] == ["cleared", "follow_up"]
    paged = ok(client.get(f"/api/verdicts/?file_id={file_id}&limit=1&offset=1"))
    assert [v["row_number"] for v in paged["verdicts"]] == [2] and paged["total"] == 2


def test_reading_verdicts_checks_its_parameters(env):
    client, _ = env
    assert "file_id is required" in error(client.get("/api/verdicts/"), 400)
    assert error(client.get(f"/api/verdicts/?file_id={UNKNOWN}"), 404) == "no such data file"
    assert "history must be true or false" in error(client.get(f"/api/verdicts/?file_id={UNKNOWN}&history=y"), 400)
    assert "verdict must be one of" in error(client.get(f"/api/verdicts/?file_id={UNKNOWN}&verdict=x"), 400)


def test_flagged_transactions_show_the_verdict_that_counts_for_each_row(env):
    client, seeded = env
    file_id = str(seeded.file_id)
    ok(post(client, {"file_id": file_id, "row_number": 4, "verdict": "confirmed", "comment": "round sum"}), 201)
    rows = ok(client.get(f"/api/flagged-transactions/?file_id={file_id}"))["transactions"]
    verdicts = {row["row_number"]: row["verdict"] for row in rows}
    assert set(verdicts) == {2, 3, 4}
    assert verdicts[2] is None and verdicts[3] is None
    assert {k: verdicts[4][k] for k in ("verdict", "comment", "reviewer")} == {
        "verdict": "confirmed",
        "comment": "round sum",
        "reviewer": "local",
    }


def test_the_scores_export_has_the_verdict_of_each_row(env):
    client, seeded = env
    file_id = str(seeded.file_id)
    ok(
        post(
            client, [{"file_id": file_id, "row_number": r, "verdict": v} for r, v in ((2, "confirmed"), (5, "cleared"))]
        ),
        201,
    )
    ok(post(client, {"file_id": file_id, "row_number": 2, "verdict": "follow_up"}), 201)
    response = client.get(f"/api/exports/?file_id={file_id}&what=scores")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {int(r["row_number"]): r["verdict"] for r in rows} == {1: "", 2: "follow_up", 3: "", 4: "", 5: "cleared"}
    assert [int(r["row_number"]) for r in rows] == [4, 2, 3, 1, 5]  # still highest risk first, every row once


def test_entries_and_their_lines_show_the_entrys_verdict_in_views_and_exports(journal_env):
    client, file_id = journal_env
    ok(
        post(client, {"file_id": str(file_id), "je_number": "JE-3", "verdict": "confirmed", "comment": "paid twice"}),
        201,
    )
    ok(post(client, {"file_id": str(file_id), "row_number": 7, "verdict": "cleared"}), 201)  # a line of JE-3
    entries = ok(client.get(f"/api/flagged-entries/?file_id={file_id}"))["entries"]
    shown = {e["je_number"]: e["verdict"] and (e["verdict"]["verdict"], e["verdict"]["comment"]) for e in entries}
    assert shown == {"JE-1": None, "JE-3": ("confirmed", "paid twice"), "JE-2": None, "+JE-4": None}
    exported = list(csv.DictReader(io.StringIO(client.get(f"/api/exports/?file_id={file_id}&what=entries").text)))
    assert {r["je_number"]: r["verdict"] for r in exported} == {
        "JE-1": "",
        "JE-3": "confirmed",
        "JE-2": "",
        "'+JE-4": "",  # formula-like text neutralised
        "JE-5": "",
    }
    # A line shows its own verdict where it has one, else its entry's.
    lines = list(csv.DictReader(io.StringIO(client.get(f"/api/exports/?file_id={file_id}&what=scores").text)))
    assert {int(r["row_number"]): r["verdict"] for r in lines if r["verdict"]} == {5: "confirmed", 7: "cleared"}
    # Flagged: the two lines of high risk; row 5 takes JE-3's verdict.
    flagged = ok(client.get(f"/api/flagged-transactions/?file_id={file_id}&limit=100"))["transactions"]
    shown = {t["row_number"]: t["verdict"] and t["verdict"]["verdict"] for t in flagged}
    assert shown == {2: None, 5: "confirmed"}
