"""Files too small for the models to learn from, processed by the Dagster job on SQLite and PostgreSQL."""

from pathlib import Path

import pytest
from dagster import DagsterInstance
from sqlalchemy import select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.schema import ml_model_processing_results, transaction_flags, transaction_scores
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline.stages import ANALYTICS_TYPES

HEADER = "Transaction ID,Posting Date,Amount,Entered By,Approved By,Vendor,Invoice Number,Description,Account\n"
# A payment register: rows 1 and 2 are the same invoice paid twice, row 3 is approved by its author.
PAYMENTS = [
    "P-001,2024-03-04,1250.40,alice,bob,Acme Supplies,INV-100,Office chairs,6100",
    "P-002,2024-03-05,1250.40,alice,bob,Acme Supplies,INV-100,Office chairs,6100",
    "P-003,2024-03-05,310.00,carol,carol,Northwind,INV-201,Courier,6200",
    "P-004,2024-03-06,87.15,dave,bob,Contoso,INV-302,Stationery,6100",
    "P-005,2024-03-06,455.90,alice,bob,Fabrikam,INV-410,Software licence,6300",
    "P-006,2024-03-07,129.99,dave,erin,Globex,INV-505,Cleaning,6200",
    "P-007,2024-03-07,742.30,carol,erin,Initech,INV-612,Maintenance,6300",
    "P-008,2024-03-08,64.20,dave,bob,Umbrella,INV-713,Coffee,6100",
    "P-009,2024-03-08,918.75,alice,erin,Stark Parts,INV-820,Spare parts,6300",
    "P-010,2024-03-11,233.10,carol,bob,Wayne Logistics,INV-934,Freight,6200",
]
LEARNED_MODELS = ("isolation_forest", "random_forest", "dbscan", "ensemble")
SMALL_FILES = {
    # name: (data rows, the findings expected per row number)
    "ten_rows": (PAYMENTS, {2: "DUP_EXACT", 3: "SELF_APPROVED"}),
    "one_row": (PAYMENTS[2:3], {1: "SELF_APPROVED"}),
}


def _write(folder: Path, rows: list[str]) -> Path:
    path = folder / "payments.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


@pytest.mark.parametrize("name", list(SMALL_FILES))
def test_a_small_file_completes_with_scores_and_reasons_from_its_findings(fintrace_env, engine, tmp_path, name):
    rows, findings = SMALL_FILES[name]
    instance = DagsterInstance.ephemeral()
    outcome = process_file(_write(tmp_path, rows), get_settings(), instance=instance)
    summary = outcome.summary
    assert summary["job"]["status"] == "COMPLETED", summary["job"]["error_message"]
    assert instance.get_run_by_id(outcome.run_id).is_success
    assert summary["data_file"]["rows_loaded"] == len(rows)
    assert summary["progress"]["overall_progress"] == 100.0
    analytics = summary["analytics_results"]
    assert set(analytics) == set(ANALYTICS_TYPES)
    for stage in ("default_analytics", "duplicate_analysis", "anomaly_detection"):
        assert analytics[stage]["processing_status"] == "COMPLETED"
    assert analytics["default_analytics"]["total_transactions"] == len(rows)

    with engine.connect() as connection:
        flags = connection.execute(
            select(transaction_flags.c.row_number, transaction_flags.c.rule_code).where(
                transaction_flags.c.processing_job_id == outcome.job_id, transaction_flags.c.severity != "low"
            )
        ).all()
        models = {
            r.model_type: r
            for r in connection.execute(
                select(ml_model_processing_results).where(
                    ml_model_processing_results.c.processing_job_id == outcome.job_id
                )
            )
        }
        scores = {
            r.row_number: r
            for r in connection.execute(
                select(transaction_scores).where(transaction_scores.c.processing_job_id == outcome.job_id)
            )
        }
    assert dict(flags) == findings
    assert set(models) == {*LEARNED_MODELS, "duplicate_detection", "anomaly_detection"}
    for model_type in LEARNED_MODELS:
        model = models[model_type]
        assert model.processing_status == "SKIPPED"
        assert model.error_message.startswith(f"only {len(rows)} row")
        assert "too few for the models to learn what is usual" in model.error_message
        assert model.detailed_results["reason"] == model.error_message
    assert models["ensemble"].detailed_results["rows_with_findings"] == len(findings)
    assert models["duplicate_detection"].processing_status == "COMPLETED"
    assert models["duplicate_detection"].duplicates_found == list(findings.values()).count("DUP_EXACT")

    assert sorted(scores) == list(range(1, len(rows) + 1))
    for row_number, score in scores.items():
        if row_number in findings:
            assert (score.risk_score, score.reasons) == (99.9, findings[row_number])
            assert score.reason_text
        else:
            assert (score.risk_score, score.reasons, score.reason_text) == (0.0, "", "")
        assert score.isolation_forest_score is None and score.dbscan_score is None

    # The flagged view lists the rows with findings, with their reasons, highest risk first.
    with TestClient(create_app(get_settings())) as client:
        body = client.get(f"/api/flagged-transactions/?file_id={outcome.data_file_id}").json()
    assert body["success"] is True
    listed = {t["row_number"]: t for t in body["transactions"]}
    assert set(listed) == set(findings)
    for row_number, rule_code in findings.items():
        assert listed[row_number]["risk_score"] == 99.9
        assert listed[row_number]["rule_codes"] == [rule_code]
        assert listed[row_number]["model_reasons"] == scores[row_number].reason_text


def test_a_file_whose_every_row_is_rejected_fails_with_the_reason(fintrace_env, engine, tmp_path):
    rows = [row.replace("2024-03-0", "not a date ") for row in PAYMENTS[:3]]
    outcome = process_file(_write(tmp_path, rows), get_settings(), instance=DagsterInstance.ephemeral())
    job = outcome.summary["job"]
    assert job["status"] == "FAILED"
    assert job["error_message"].startswith(
        "payments.csv: every data row was rejected (3 rows): unparseable posting date (3 rows). "
        "First failing values: row 1: 'Posting Date'='not a date 4'"
    )
    assert "IntegrityError" not in job["error_message"]
    steps = {s["name"]: s["status"] for s in outcome.summary["progress"]["steps"]}
    assert steps["ingest"] == "FAILED" and steps["ml_ensemble"] != "COMPLETED"
    with engine.connect() as connection:
        assert connection.execute(select(transaction_scores)).all() == []
