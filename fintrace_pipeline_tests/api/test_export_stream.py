"""Download bodies of a really processed file: every export as xlsx and csv, chunked CSV, the xlsx row limit."""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from fintrace_pipeline import exports
from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.api.export_queries import SCORE_EXPORT_COLUMNS, TRIAL_BALANCE_COLUMNS
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import transaction_flags, transaction_scores
from fintrace_pipeline_tests.api.conftest import error, ok, process_generated_ledger

ROWS = 1_200  # enough for the generator to inject duplicates

FLAG_COLUMNS = [
    "analytics_type",
    "group_id",
    "row_number",
    "rule_code",
    "severity",
    "reason",
    "details",
    "transaction_id",
    "posting_date",
    "amount",
    "account",
    "user",
    "vendor",
    "description",
]
HEADERS = {
    "scores": [*SCORE_EXPORT_COLUMNS, "verdict"],
    "flags": FLAG_COLUMNS,
    "duplicates": FLAG_COLUMNS,
    "trial_balance": list(TRIAL_BALANCE_COLUMNS),
}


@pytest.fixture(scope="module")
def processed(module_database_url, tmp_path_factory):
    settings, outcome = process_generated_ledger(module_database_url, tmp_path_factory.mktemp("exports"), ROWS, 5)
    with TestClient(create_app(settings)) as client:
        yield client, outcome, settings


def download(client, file_id, what: str, file_format: str):
    return client.get(f"/api/exports/?file_id={file_id}&what={what}&format={file_format}")


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == exports.MEDIA_TYPES["xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.text)))


@pytest.mark.parametrize("what", list(HEADERS))
def test_every_export_as_xlsx_has_its_header_and_the_rows_of_the_csv(processed, what):
    client, outcome, _ = processed
    sheet = xlsx_rows(download(client, outcome.data_file_id, what, "xlsx"))
    table = csv_rows(download(client, outcome.data_file_id, what, "csv"))
    assert sheet[0] == table[0] == HEADERS[what]
    assert len(sheet) == len(table) > 1
    first_sheet, first_csv = dict(zip(sheet[0], sheet[1], strict=True)), dict(zip(table[0], table[1], strict=True))
    key = "account" if what == "trial_balance" else "row_number"
    assert str(first_sheet[key]) == first_csv[key]


def test_xlsx_values_match_the_stored_results(processed):
    client, outcome, settings = processed
    scores = xlsx_rows(download(client, outcome.data_file_id, "scores", "xlsx"))
    assert len(scores) == ROWS + 1
    risk = scores[0].index("risk_score")
    with get_engine(settings.database_url).connect() as connection:
        top_risk = connection.execute(
            select(func.max(transaction_scores.c.risk_score)).where(
                transaction_scores.c.processing_job_id == outcome.job_id
            )
        ).scalar_one()
        flags = connection.execute(
            select(func.count()).where(transaction_flags.c.processing_job_id == outcome.job_id)
        ).scalar_one()
    assert scores[1][risk] == pytest.approx(top_risk)
    assert len(xlsx_rows(download(client, outcome.data_file_id, "flags", "xlsx"))) == flags + 1
    duplicates = xlsx_rows(download(client, outcome.data_file_id, "duplicates", "xlsx"))
    assert {row[0] for row in duplicates[1:]} == {"duplicate_analysis"} and all(row[1] for row in duplicates[1:])
    analytics = ok(
        client.get(f"/api/analytics-results/?file_id={outcome.data_file_id}&analytics_type=default_analytics")
    )
    accounts = analytics["results"][0]["detailed_results"]["trial_balance_data"]["accounts"]["items"]
    balance = xlsx_rows(download(client, outcome.data_file_id, "trial_balance", "xlsx"))
    assert str(balance[1][0]) == str(accounts[0]["account"])
    assert balance[1][2] == pytest.approx(accounts[0]["debit"])


def test_csv_is_streamed_in_chunks_with_a_single_header(processed, monkeypatch):
    client, outcome, _ = processed
    whole = download(client, outcome.data_file_id, "scores", "csv").text
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 7)
    with client.stream("GET", f"/api/exports/?file_id={outcome.data_file_id}&what=scores&format=csv") as response:
        chunks = [chunk for chunk in response.iter_raw() if chunk]
    assert len(chunks) > 1
    assert b"".join(chunks).decode() == whole
    assert whole.count("row_number,") == 1 and len(whole.splitlines()) == ROWS + 1


def test_an_xlsx_over_the_sheet_limit_is_refused_before_any_byte_is_sent(processed, monkeypatch):
    client, outcome, _ = processed
    monkeypatch.setattr(exports, "XLSX_MAX_DATA_ROWS", ROWS - 1)
    message = error(download(client, outcome.data_file_id, "scores", "xlsx"), 400)
    assert f"{ROWS:,} rows" in message and "format=csv" in message
    assert len(csv_rows(download(client, outcome.data_file_id, "scores", "csv"))) == ROWS + 1
    monkeypatch.setattr(exports, "XLSX_MAX_DATA_ROWS", ROWS)  # exactly full: still one sheet
    assert len(xlsx_rows(download(client, outcome.data_file_id, "scores", "xlsx"))) == ROWS + 1
