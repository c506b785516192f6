"""The API over a file processed by the real pipeline (ingest, analytics, ML), once per database."""

import csv
import io

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import transaction_flags, transaction_scores, transactions
from fintrace_pipeline_tests.api.conftest import ok, process_generated_ledger

ROWS = 400
SEED = 12  # its ledger has a high-risk row that no rule flags, which the flagged-transactions test needs


@pytest.fixture(scope="module")
def processed(module_database_url, tmp_path_factory):
    settings, outcome = process_generated_ledger(module_database_url, tmp_path_factory.mktemp("processed"), ROWS, SEED)
    with TestClient(create_app(settings)) as client:
        yield client, outcome, settings


def test_processing_results_match_the_pipeline_summary(processed):
    client, outcome, _ = processed
    summary = ok(client.get(f"/api/processing-results/?file_id={outcome.data_file_id}"))["processing_summary"]
    assert summary["job"]["id"] == str(outcome.job_id)
    assert summary["data_file"]["rows_loaded"] == outcome.summary["data_file"]["rows_loaded"] == ROWS
    assert summary["analytics_results"] == outcome.summary["analytics_results"]
    assert summary["ml_results"] == outcome.summary["ml_results"]
    assert summary["flags_by_rule"] == outcome.summary["flags_by_rule"]
    progress = ok(client.get(f"/api/processing-progress/?job_id={outcome.job_id}"))["progress"]
    assert progress["status"] == "COMPLETED" and progress["overall_progress"] == 100.0


def test_analytics_and_ml_sections_are_served_as_stored(processed):
    client, outcome, _ = processed
    analytics = ok(client.get(f"/api/analytics-results/?file_id={outcome.data_file_id}"))["results"]
    assert {r["analytics_type"] for r in analytics} == {
        "default_analytics",
        "comprehensive_expense",
        "duplicate_analysis",
        "anomaly_detection",
        "period_comparison",
        "reference_checks",
    }
    default = next(r for r in analytics if r["analytics_type"] == "default_analytics")
    trial_balance = default["detailed_results"]["trial_balance_data"]
    assert trial_balance["totals"]["total_debit"] > 0
    export = client.get(f"/api/exports/?file_id={outcome.data_file_id}&what=trial_balance")
    exported = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["account"] for r in exported][: len(trial_balance["accounts"]["items"])] == [
        str(i["account"]) for i in trial_balance["accounts"]["items"]
    ]
    ml = ok(client.get(f"/api/ml-processing-results/?file_id={outcome.data_file_id}&model_type=all"))["results"]
    assert {r["model_type"] for r in ml} == set(outcome.summary["ml_results"])
    assert all("model_metrics" in r["detailed_results"] for r in ml)


def test_flagged_transactions_cover_every_rule_finding_and_high_risk_row_by_falling_risk(processed):
    client, outcome, settings = processed
    ensemble = ok(client.get(f"/api/ml-processing-results/?file_id={outcome.data_file_id}&model_type=ensemble"))
    threshold = ensemble["results"][0]["detailed_results"]["high_risk_threshold"]
    with get_engine(settings.database_url).connect() as connection:
        findings = connection.execute(
            select(transaction_flags.c.row_number, transaction_flags.c.rule_code).where(
                transaction_flags.c.processing_job_id == outcome.job_id
            )
        ).all()
        high_risk_rows = set(
            connection.execute(
                select(transaction_scores.c.row_number).where(
                    transaction_scores.c.processing_job_id == outcome.job_id,
                    transaction_scores.c.risk_score >= threshold,
                )
            ).scalars()
        )
    rule_rows = {row for row, _ in findings}
    assert high_risk_rows - rule_rows, "the file should have a high-risk row no rule flagged"
    body = ok(client.get(f"/api/flagged-transactions/?file_id={outcome.data_file_id}&limit=1000"))
    assert body["total"] == len(rule_rows | high_risk_rows) == len(body["transactions"])
    assert {r["row_number"] for r in body["transactions"]} == rule_rows | high_risk_rows
    risks = [r["risk_score"] for r in body["transactions"]]
    assert risks == sorted(risks, reverse=True)
    for row in body["transactions"]:
        assert row["posting_date"]
        assert bool(row["rule_codes"]) == (row["row_number"] in rule_rows)
        assert bool(row["model_reasons"]) == (row["row_number"] in high_risk_rows)
    rule = findings[0].rule_code
    by_rule = ok(client.get(f"/api/flagged-transactions/?file_id={outcome.data_file_id}&limit=1000&rule={rule}"))
    assert {r["row_number"] for r in by_rule["transactions"]} == {row for row, code in findings if code == rule}
    scores = client.get(f"/api/exports/?file_id={outcome.data_file_id}&what=scores&format=csv")
    assert len(list(csv.DictReader(io.StringIO(scores.text)))) == ROWS


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_command_writes_the_scores_highest_risk_first(processed, tmp_path, monkeypatch, capsys, suffix):
    from openpyxl import load_workbook

    from fintrace_pipeline import cli

    _, outcome, settings = processed
    monkeypatch.setenv("FINTRACE_DATABASE_URL", settings.database_url)
    out = tmp_path / f"scores{suffix}"
    assert cli.main(["export", "scores", "--file-id", str(outcome.data_file_id), "--out", str(out)]) == 0
    assert f"wrote {ROWS} rows" in capsys.readouterr().out
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text())))
    else:
        sheet = load_workbook(out, read_only=True).active
        header, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
        rows = [dict(zip(header, (str(v) if v is not None else "" for v in row), strict=True)) for row in values]
    assert len(rows) == ROWS
    assert list(rows[0])[:4] == ["row_number", "transaction_id", "risk_score", "reasons"]
    assert {"isolation_forest_score", "random_forest_score", "dbscan_score"} <= set(rows[0])
    risks = [float(r["risk_score"]) for r in rows]
    assert risks == sorted(risks, reverse=True)
    assert rows[0]["reasons"] and all(code.strip().isupper() for code in rows[0]["reasons"].split(";"))


def test_flagged_entries_are_the_entries_with_findings_or_model_reasons_with_all_their_lines(processed):
    client, outcome, settings = processed
    with get_engine(settings.database_url).connect() as connection:
        lines = connection.execute(
            select(transactions.c.row_number, transactions.c.je_number).where(
                transactions.c.data_file_id == outcome.data_file_id
            )
        ).all()
        flagged_rows = set(
            connection.execute(
                select(transaction_flags.c.row_number).where(transaction_flags.c.processing_job_id == outcome.job_id)
            ).scalars()
        )
    entry_of = {row: number for row, number in lines}
    rows_of: dict[str, list[int]] = {}
    for row, number in sorted(lines):
        rows_of.setdefault(number, []).append(row)
    body = ok(client.get(f"/api/flagged-entries/?file_id={outcome.data_file_id}&limit=1000"))
    listed = {entry["je_number"]: entry for entry in body["entries"]}
    assert body["note"] is None and body["total"] == len(listed)
    assert {entry_of[row] for row in flagged_rows} <= set(listed)
    risks = [entry["risk_score"] for entry in body["entries"]]
    assert risks == sorted(risks, reverse=True)
    for number, entry in listed.items():
        assert [line["row_number"] for line in entry["lines"]] == rows_of[number]
        assert entry["line_count"] == len(rows_of[number])
        assert entry["reason_text"].startswith(f"{len(rows_of[number])} line")
        assert bool(entry["rule_codes"]) == any(line["row_number"] in flagged_rows for line in entry["lines"])
    exported = client.get(f"/api/exports/?file_id={outcome.data_file_id}&what=entries")
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == len(rows_of)
