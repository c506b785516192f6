"""Flagged transactions over the hand-built results: order, details, filters, paging, errors."""

import pytest

from fintrace_pipeline_tests.api.conftest import (
    UNKNOWN,
    error,
    ok,
)


def test_flagged_transactions_highest_risk_first_with_rules_and_details(client, seeded):
    body = ok(client.get(f"/api/flagged-transactions/?file_id={seeded.file_id}"))
    assert body["job_id"] == str(seeded.completed_job_id)  # the latest COMPLETED job
    assert body["total"] == 3
    rows = body["transactions"]
    assert [(r["row_number"], r["risk_score"]) for r in rows] == [(4, 95.0), (2, 80.0), (3, 50.0)]
    top, second, _ = rows
    assert top["transaction_id"] == "T4" and top["rule_codes"] == ["ROUND_AMOUNT"]
    assert top["amount"] == 5000 and top["user"] == "carol" and top["vendor"] == "Globex"
    assert top["account"] == "6300" and top["posting_date"].startswith("2024-01-07")
    assert second["rule_codes"] == ["DUP_EXACT", "WEEKEND_POSTING"]
    assert [f["reason"] for f in second["findings"]] == [
        "same vendor, amount and date as row 3",
        "posted on a Saturday",
    ]
    assert second["findings"][0]["group_id"] == "g1"


def test_flagged_transactions_filters_and_pages(client, seeded):
    base = f"/api/flagged-transactions/?file_id={seeded.file_id}"
    risky = ok(client.get(base + "&min_risk=60"))
    assert risky["total"] == 2 and [r["row_number"] for r in risky["transactions"]] == [4, 2]
    duplicates = ok(client.get(base + "&rule=DUP_EXACT"))
    assert [r["row_number"] for r in duplicates["transactions"]] == [2, 3]
    page = ok(client.get(base + "&limit=1&offset=1"))
    assert page["total"] == 3 and [r["row_number"] for r in page["transactions"]] == [2]
    assert ok(client.get(base + "&rule=NO_SUCH_RULE"))["transactions"] == []


@pytest.mark.parametrize(
    "query, status",
    [
        ("?min_risk=5", 400),
        ("?file_id={file}&min_risk=abc", 400),
        ("?file_id={file}&min_risk=-1", 400),
        ("?file_id={file}&min_risk=nan", 400),
        ("?file_id={file}&limit=1001", 400),
        ("?file_id={file}&offset=-1", 400),
        (f"?file_id={UNKNOWN}", 404),
        ("?file_id={bare}", 404),
    ],
)
def test_flagged_transactions_errors(client, seeded, query, status):
    error(
        client.get(f"/api/flagged-transactions/{query.format(file=seeded.file_id, bare=seeded.bare_file_id)}"), status
    )
