"""The per-file assets materialized through Dagster on real SQLite and PostgreSQL."""

import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterEventType, DagsterInstance, materialize
from sqlalchemy import func, select

from fintrace_pipeline.cli import main
from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    file_processing_jobs,
    ml_model_processing_results,
    transaction_scores,
    transactions,
)
from fintrace_pipeline.db.transactions import load_transactions
from fintrace_pipeline.definitions import defs
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.defs.loading import canonical_columns
from fintrace_pipeline.defs.partitions import data_file_partitions
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.persistence.files import get_data_file, register_file
from fintrace_pipeline.persistence.snapshots import read_snapshot
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "ledger.csv"
    write_ledger(generate_ledger(2_000, seed=3), path)
    # Two rows a person would expect to be kept with their reason, not lost.
    with path.open("a") as handle:
        handle.write(
            "T-BAD-1,JE-999999,not a date,2024-01-01 10:00:00,6100,Travel,alice,bob,Acme,INV-1,x,CC1,USD,12.00,\n"
        )
        handle.write("Grand total,,,,,,,,,,,,,999999.00,999999.00\n")
    return path


def outcome_file_mapping(engine, data_file_id):
    with engine.connect() as connection:
        return get_data_file(connection, data_file_id).column_mapping


def test_definitions_load_with_the_six_assets_job_and_sensors():
    repo = defs().get_repository_def()
    assert {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()} == {
        "ingest",
        "default_analytics",
        "comprehensive_expense",
        "duplicate_analysis",
        "anomaly_detection",
        "ml_ensemble",
    }
    assert repo.get_job("process_file").partitions_def == data_file_partitions
    assert {s.name for s in repo.sensor_defs} >= {"job_completed_sensor", "job_failed_sensor", "job_canceled_sensor"}


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
    assert [s["status"] for s in progress["steps"]] == ["COMPLETED"] * 6 or all(
        s["status"] in ("COMPLETED", "SKIPPED") for s in progress["steps"]
    )
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


def test_rematerializing_a_step_replaces_its_results(fintrace_env, engine, ledger_file):
    instance = DagsterInstance.ephemeral()
    outcome = process_file(ledger_file, get_settings(), instance=instance)
    run = instance.get_run_by_id(outcome.run_id)
    # Re-execute the anomaly step under the same job, as a retry would.
    result = materialize(
        PER_FILE_ASSETS,
        selection=["anomaly_detection"],
        partition_key=str(outcome.data_file_id),
        instance=instance,
        resources=fintrace_resources(get_settings()),
        tags=dict(run.tags),
    )
    assert result.success
    with engine.connect() as connection:
        rows = connection.execute(
            select(func.count())
            .select_from(analytics_processing_results)
            .where(analytics_processing_results.c.processing_job_id == outcome.job_id)
        ).scalar_one()
        models = connection.execute(select(func.count()).select_from(ml_model_processing_results)).scalar_one()
    assert rows == 4 and models == 6


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


def test_the_last_step_to_finish_closes_the_job_without_waiting_for_a_sensor(fintrace_env, engine, ledger_file):
    """Runs launched from the Dagster UI (no job tag, no run-status sensor in an ephemeral instance)."""
    instance = DagsterInstance.ephemeral()
    data_file, _ = register_file(engine, ledger_file, source="test", archive_dir=get_settings().archive_dir)
    partition = str(data_file.id)
    instance.add_dynamic_partitions(data_file_partitions.name, [partition])
    resources = fintrace_resources(get_settings())

    def job_of(run_id: str):
        with engine.connect() as connection:
            return connection.execute(
                select(file_processing_jobs).where(file_processing_jobs.c.dagster_run_id == run_id)
            ).one()

    partial = materialize(
        PER_FILE_ASSETS, selection=["ingest"], partition_key=partition, instance=instance, resources=resources
    )
    # Only one of six steps ran: closing that job is left to the run-status sensor.
    assert job_of(partial.run_id).status == "RUNNING"

    full = materialize(PER_FILE_ASSETS, partition_key=partition, instance=instance, resources=resources)
    job = job_of(full.run_id)
    assert (job.status, job.error_message) == ("COMPLETED", None)
    assert job.completed_at is not None
