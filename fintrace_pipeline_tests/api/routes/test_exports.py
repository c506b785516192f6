"""Downloads of the hand-built results: each export's rows, formulas neutralised, errors."""

import csv
import io

import openpyxl
import pytest

from fintrace_pipeline_tests.api.conftest import (
    UNKNOWN,
    error,
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
