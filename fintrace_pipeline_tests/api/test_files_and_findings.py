"""Listing files, flagged transactions and exports over the hand-built results."""

import csv
import io

import openpyxl
import pytest

from fintrace_pipeline_tests.api.test_read_endpoints import UNKNOWN, error, ok


def test_files_newest_first_with_latest_job_and_high_risk_count(client, seeded):
    body = ok(client.get("/api/files/"))
    assert body["total"] == 3 and body["limit"] == 50 and body["offset"] == 0
    files = body["files"]
    assert [f["file_name"] for f in files] == ["bare.csv", "failed.csv", "ledger.csv"]
    bare, failed, ledger = files
    assert bare["latest_job_id"] is None and bare["latest_job_status"] is None
    assert failed["latest_job_id"] == str(seeded.failed_job_id) and failed["latest_job_status"] == "FAILED"
    # The ledger's newest job is the RUNNING one; it has no anomaly results yet.
    assert ledger["latest_job_id"] == str(seeded.running_job_id) and ledger["latest_job_status"] == "RUNNING"
    assert ledger["high_risk_transactions"] is None and ledger["data_file_id"] == str(seeded.file_id)


def test_files_status_filter_and_pagination(client, seeded):
    failed = ok(client.get("/api/files/?status=FAILED"))
    assert failed["total"] == 1 and [f["file_name"] for f in failed["files"]] == ["failed.csv"]
    assert ok(client.get("/api/files/?status=COMPLETED"))["total"] == 0
    page = ok(client.get("/api/files/?limit=1&offset=1"))
    assert page["total"] == 3 and [f["file_name"] for f in page["files"]] == ["failed.csv"]
    assert ok(client.get("/api/files/?offset=3"))["files"] == []


@pytest.mark.parametrize("query", ["?limit=0", "?limit=1001", "?limit=-1", "?limit=abc", "?offset=-5", "?status=DONE"])
def test_files_bad_parameters(client, query):
    error(client.get(f"/api/files/{query}"), 400)


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


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_export_scores_csv_is_ordered_by_risk(client, seeded):
    rows = _csv(client.get(f"/api/exports/?file_id={seeded.file_id}&what=scores&format=csv"))
    assert [(r["row_number"], float(r["risk_score"])) for r in rows] == [
        ("4", 95.0),
        ("2", 80.0),
        ("3", 50.0),
        ("1", 10.0),
        ("5", 5.0),
    ]


def test_export_flags_neutralises_formulas(client, seeded):
    response = client.get(f"/api/exports/?file_id={seeded.file_id}&what=flags")
    assert response.headers["content-type"].startswith("text/csv")
    rows = _csv(response)
    assert [(r["row_number"], r["rule_code"]) for r in rows] == [
        ("2", "DUP_EXACT"),
        ("2", "WEEKEND_POSTING"),
        ("3", "DUP_EXACT"),
        ("4", "ROUND_AMOUNT"),
    ]
    assert rows[0]["vendor"] == '\'=HYPERLINK("http://x")'


def test_export_duplicates_are_the_grouped_duplicate_flags(client, seeded):
    rows = _csv(client.get(f"/api/exports/?file_id={seeded.file_id}&what=duplicates"))
    assert [(r["group_id"], r["row_number"], float(r["amount"])) for r in rows] == [
        ("g1", "2", 250.0),
        ("g1", "3", 250.0),
    ]


def test_export_trial_balance_xlsx(client, seeded):
    response = client.get(f"/api/exports/?file_id={seeded.file_id}&what=trial_balance&format=xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="fintrace-trial_balance-' in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["account", "account_name", "debit", "credit", "net", "lines"]
    assert values[1] == ["6100", "Travel", 100, 12.5, 87.5, 2]
    assert values[3] == ["6300", "'=cmd", 5000, 0, 5000, 1]  # text, not a formula


def test_export_of_a_job_without_results_is_an_empty_table(client, seeded):
    rows = _csv(client.get(f"/api/exports/?file_id={seeded.file_id}&job_id={seeded.running_job_id}&what=scores"))
    assert rows == []


@pytest.mark.parametrize(
    "query, status",
    [
        ("?file_id={file}", 400),
        ("?file_id={file}&what=everything", 400),
        ("?file_id={file}&what=scores&format=pdf", 400),
        ("?what=scores", 400),
        (f"?file_id={UNKNOWN}&what=flags", 404),
    ],
)
def test_export_errors(client, seeded, query, status):
    error(client.get(f"/api/exports/{query.format(file=seeded.file_id)}"), status)
