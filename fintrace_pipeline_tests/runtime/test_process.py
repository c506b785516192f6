"""`fintrace process`: one file through every stage in-process, on real SQLite and PostgreSQL."""

import json
import uuid

import pandas as pd
from dagster import DagsterEventType, DagsterInstance
from sqlalchemy import func, select

from fintrace_pipeline.cli import main
from fintrace_pipeline.country_calendar import public_holidays
from fintrace_pipeline.db.schema import (
    audit_log,
    file_processing_jobs,
    transaction_flags,
    transaction_scores,
    transactions,
    verdicts,
)
from fintrace_pipeline.db.transactions import load_transactions
from fintrace_pipeline.defs.loading import canonical_columns
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.persistence.snapshots import read_snapshot
from fintrace_pipeline.persistence.sources import list_sources
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings


def outcome_file_mapping(engine, data_file_id):
    with engine.connect() as connection:
        return get_data_file(connection, data_file_id).column_mapping


def test_process_stores_every_result_and_accounts_for_every_row(fintrace_env, engine, ledger_file):
    instance = DagsterInstance.ephemeral()
    outcome = process_file(ledger_file, get_settings(), instance=instance)
    summary = outcome.summary
    data_file = summary["data_file"]
    assert summary["job"]["status"] == "COMPLETED", summary["job"]["error_message"]
    assert data_file["rows_read"] == 2_002
    assert data_file["rows_loaded"] + data_file["rows_rejected"] == data_file["rows_read"]
    assert data_file["rows_rejected"] == 2
    # The steps' Parquet snapshot holds exactly what the database returns for the file.
    columns = canonical_columns(outcome_file_mapping(engine, outcome.data_file_id))
    with engine.connect() as connection:
        stored = load_transactions(connection, outcome.data_file_id, columns)
    snapshot = read_snapshot(get_settings().var_dir, outcome.data_file_id, columns, len(stored))
    pd.testing.assert_frame_equal(snapshot, stored)
    reasons = summary["progress"]["step_details"]["ingest"]["details"]["rejection_reasons"]
    assert sum(r["rows"] for r in reasons) == 2
    assert all(r["rows"] == 1 and r["reason"] for r in reasons)
    assert set(summary["analytics_results"]) == {
        "default_analytics",
        "comprehensive_expense",
        "duplicate_analysis",
        "anomaly_detection",
        "period_comparison",
        "reference_checks",
    }
    assert set(summary["ml_results"]) == {
        "isolation_forest",
        "random_forest",
        "dbscan",
        "ensemble",
        "duplicate_detection",
        "anomaly_detection",
    }
    progress = summary["progress"]
    assert progress["overall_progress"] == 100.0 and progress["status"] == "COMPLETED"
    statuses = {s["name"]: s["status"] for s in progress["steps"]}
    assert set(statuses.values()) <= {"COMPLETED", "SKIPPED"}, statuses
    assert summary["job"]["dagster_run_id"] == outcome.run_id
    assert instance.get_run_by_id(outcome.run_id).is_success
    checks = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in instance.all_logs(outcome.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        for e in [e.dagster_event]
    }
    assert set(checks) == {"rejected_rows_share", "trial_balance_balanced", "benford_first_digit_conformity"}
    assert checks["rejected_rows_share"].passed  # 2 of 2,002 rows
    assert checks["rejected_rows_share"].metadata["rows_rejected"].value == 2
    # The generator injects journal entries that do not balance, so the ledger as a whole does not.
    assert not checks["trial_balance_balanced"].passed
    with engine.connect() as connection:
        loaded = connection.execute(select(func.count()).select_from(transactions)).scalar_one()
        scored = connection.execute(select(func.count()).select_from(transaction_scores)).scalar_one()
    assert loaded == scored == data_file["rows_loaded"]


def test_unreadable_file_fails_the_job_with_a_readable_message(fintrace_env, engine, tmp_path, capsys):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    assert main(["process", str(garbage), "--json"]) == 1
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["status"] == "FAILED" and out["rows_in"] is None
    assert out["error_message"].startswith("garbage.csv: ")
    assert captured.err.strip() == f"fintrace: {out['error_message']}"
    assert "Traceback" not in captured.err
    with engine.connect() as connection:
        assert connection.execute(select(file_processing_jobs.c.status)).scalars().all() == ["FAILED"]


def test_process_refuses_an_unmigrated_database(monkeypatch, tmp_path, capsys, ledger_file):
    monkeypatch.setenv("FINTRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("FINTRACE_VAR_DIR", str(tmp_path / "var"))
    assert main(["process", str(ledger_file)]) == 1
    assert "fintrace db upgrade" in capsys.readouterr().err


def _ledger_with_holidays(path):
    """A two-line entry every working day of 2024 that is a holiday neither in Germany nor in the
    United States, and one on each of two German and two US public holidays."""
    closed = set(public_holidays("DE", [2024])) | set(public_holidays("US", [2024]))
    days = [d.strftime("%Y-%m-%d") for d in pd.bdate_range("2024-01-02", "2024-12-31") if d.date() not in closed]
    days += ["2024-10-03", "2024-12-26", "2024-07-04", "2024-11-28"]  # Einheit, 2. Weihnachtstag; US days
    lines = ["JE Number,Posting Date,GL Account,Entered By,Approved By,Description,Debit,Credit"]
    for i, day in enumerate(days):
        amount = f"{100 + 37.13 * i:.2f}"
        lines.append(f"JE-{i:04d},{day},6100,anna,ben,Supplies,{amount},")
        lines.append(f"JE-{i:04d},{day},2000,anna,ben,Supplies,,{amount}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_german_file_gets_german_holidays_named_and_no_us_ones(fintrace_env, engine, tmp_path, capsys):
    ledger = _ledger_with_holidays(tmp_path / "buchungen.csv")
    assert main(["process", str(ledger), "--country", "DE", "--materiality", "500", "--json"]) == 0
    data_file_id = json.loads(capsys.readouterr().out)["data_file_id"]
    with engine.connect() as connection:
        stored = get_data_file(connection, uuid.UUID(data_file_id))
        holidays = connection.execute(
            select(transaction_flags.c.reason)
            .where(transaction_flags.c.rule_code == "HOLIDAY_POSTING")
            .order_by(transaction_flags.c.row_number)
        ).scalars()
        reasons = sorted(set(holidays))
    assert stored.country == "DE" and stored.analysis_options == {"materiality": 500.0}
    assert reasons == [
        "Posted on a public holiday in Germany: Tag der Deutschen Einheit (2024-10-03); "
        "user anna has 4 of 496 lines on public holidays",
        "Posted on a public holiday in Germany: Zweiter Weihnachtstag (2024-12-26); "
        "user anna has 4 of 496 lines on public holidays",
    ]
    assert not any(name in " ".join(reasons) for name in ("Independence", "Thanksgiving", "Juneteenth"))


def test_process_refuses_an_unknown_country_saying_what_is_accepted(fintrace_env, engine, tmp_path, capsys):
    ledger = _ledger_with_holidays(tmp_path / "ledger.csv")
    assert main(["process", str(ledger), "--country", "Germany"]) == 1
    assert "unknown country 'Germany': expected an ISO 3166-1 alpha-2 code" in capsys.readouterr().err


def _labelled_csv(path, rows: int = 60):
    lines = ["Posting Date,Amount,Vendor,Transaction ID,is_fraud"]
    for i in range(1, rows + 1):
        label = "1" if i % 20 == 0 else ("0" if i % 2 else "")
        lines.append(f"2024-02-{1 + i % 28:02d},{100 + i}.00,Vendor {i % 7},TX{i:04d},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_mapped_label_column_stores_the_files_verdicts_as_an_import(fintrace_env, engine, tmp_path):
    path = _labelled_csv(tmp_path / "cards.csv")
    outcome = process_file(
        path, get_settings(), user_mapping={"label": "is_fraud"}, source="cards", instance=DagsterInstance.ephemeral()
    )
    assert outcome.summary["job"]["status"] == "COMPLETED", outcome.summary["job"]["error_message"]
    assert outcome.summary["data_file"]["source"] == "cards"
    with engine.connect() as connection:
        stored = connection.execute(
            select(verdicts.c.row_number, verdicts.c.verdict, verdicts.c.reviewer, verdicts.c.source).order_by(
                verdicts.c.row_number
            )
        ).all()
        (entry,) = connection.execute(select(audit_log)).all()
    # Rows 20, 40, 60 are labelled 1; odd rows 0; the other even rows carry no label.
    assert [(r.row_number, r.verdict) for r in stored if r.verdict == "confirmed"] == [
        (20, "confirmed"),
        (40, "confirmed"),
        (60, "confirmed"),
    ]
    assert sorted(r.row_number for r in stored if r.verdict == "cleared") == list(range(1, 61, 2))
    assert {(r.reviewer, r.source) for r in stored} == {("import", "cards")}
    assert (entry.actor, entry.action, entry.after["origin"], entry.after["verdicts"]) == (
        "import",
        "verdicts.import",
        "label column",
        33,
    )
    ingest = outcome.summary["progress"]["step_details"]["ingest"]["details"]
    assert ingest["verdicts_from_labels"] == {"cleared": 30, "confirmed": 3}


def test_process_puts_a_new_file_in_the_named_source_and_refuses_another_for_known_bytes(
    fintrace_env, engine, ledger_file, capsys
):
    assert main(["process", str(ledger_file), "--source", "north-ledger", "--json"]) == 0
    data_file_id = json.loads(capsys.readouterr().out)["data_file_id"]
    with engine.connect() as connection:
        stored = get_data_file(connection, uuid.UUID(data_file_id))
        (source,) = list_sources(connection)
    assert (stored.source, stored.received_via) == ("north-ledger", "cli")
    assert (source["source"], source["files"], source["rows"]) == ("north-ledger", 1, 2_000)
    assert source["latest_file"]["data_file_id"] == data_file_id
    assert main(["process", str(ledger_file), "--source", "south"]) == 1
    assert f"data file {data_file_id} of source 'north-ledger', not 'south'" in capsys.readouterr().err
    assert main(["process", str(ledger_file), "--source", "South Ledger"]) == 1
    assert "is not a valid name" in capsys.readouterr().err
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(file_processing_jobs)).scalar_one() == 1
