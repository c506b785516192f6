import uuid

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    ml_model_processing_results,
    transaction_flags,
    transaction_scores,
)
from fintrace_pipeline.findings import AnalysisResult, ModelResult
from fintrace_pipeline.persistence import jobs, tracker
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline.settings import SQL_DIR


@pytest.fixture
def job(engine, tmp_path):
    source = tmp_path / "ledger.csv"
    source.write_text("date,amount\n2024-01-01,5\n")
    data_file, created = register_file(engine, source, received_via="cli", archive_dir=tmp_path / "archive")
    assert created
    return jobs.create_job(engine, data_file.id, trigger="cli")


def _flags(rows):
    return pd.DataFrame(
        [
            {
                "row_number": r,
                "rule_code": "ROUND_AMOUNT",
                "severity": "low",
                "reason": f"row {r} is round",
                "details": {"amount": 1000.0 * r},
                "group_id": None,
            }
            for r in rows
        ]
    )


def test_register_recognises_byte_identical_file(engine, tmp_path):
    first = tmp_path / "a.csv"
    first.write_bytes(b"date,amount\n2024-01-01,5\n")
    copy = tmp_path / "b.csv"
    copy.write_bytes(first.read_bytes())
    original, created = register_file(engine, first, received_via="cli", archive_dir=tmp_path / "arch")
    again, created_again = register_file(engine, copy, received_via="cli", archive_dir=tmp_path / "arch")
    assert created and not created_again
    assert again.id == original.id and again.file_name == "a.csv"
    archived = list((tmp_path / "arch").rglob("*.csv"))
    assert len(archived) == 1 and archived[0].read_bytes() == first.read_bytes()
    assert archived[0].name == f"{original.sha256}.csv"


def test_saving_twice_replaces_rows_instead_of_duplicating(engine, job):
    saver = AnalyticsDBSaver(job, engine)
    result = AnalysisResult(
        "anomaly_detection",
        summary={"total_transactions": 3, "total_amount": 12.5, "flagged_transactions": 2},
        sections={"risk_assessment": {"rule_counts": {"ROUND_AMOUNT": 2}}},
        flags=_flags([1, 2]),
        parameters={"round_base": 1000},
    )
    saver.save_anomaly_detection_results(result)
    result.flags = _flags([3])
    saver.save_anomaly_detection_results(result)
    with engine.connect() as connection:
        rows = connection.execute(select(analytics_processing_results)).all()
        flags = connection.execute(select(transaction_flags.c.row_number, transaction_flags.c.details)).all()
    assert len(rows) == 1
    assert rows[0].total_amount == 12.5 and rows[0].risk_assessment == {"rule_counts": {"ROUND_AMOUNT": 2}}
    assert rows[0].parameters == {"round_base": 1000}
    assert [(f.row_number, f.details) for f in flags] == [(3, {"amount": 3000.0})]


def test_seed_dict_form_and_nan_are_accepted(engine, job):
    saver = AnalyticsDBSaver(job, engine)
    stored = saver.save_default_analytics(
        {"total_transactions": 2, "user_patterns": {"mean": float("nan")}, "processing_duration": 0.5}
    )
    assert stored["analytics_type"] == "default_analytics" and stored["user_patterns"] == {"mean": None}


def test_ml_result_with_scores_is_idempotent(engine, job):
    saver = AnalyticsDBSaver(job, engine)
    scores = pd.DataFrame(
        {
            "row_number": [1, 2],
            "transaction_id": ["T1", None],
            "risk_score": [91.5, 3.0],
            "isolation_forest_score": [0.9, 0.1],
            "random_forest_score": [0.8, 0.2],
            "dbscan_score": [1.0, 0.0],
            "rule_score": [3.0, 0.0],
            "reasons": ["ROUND_AMOUNT;AMOUNT_VS_USER", ""],
            "reason_text": ["x", ""],
        }
    )
    model = ModelResult(
        "ensemble",
        anomalies_detected=1,
        risk_score=91.5,
        confidence_score=0.7,
        model_metrics={"threshold": 80.0},
        feature_importance={"amount": 0.6},
    )
    saver.save_ml_processing_result(model, "ensemble", scores=scores)
    saver.save_ml_processing_result(model, "ensemble", scores=scores)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ml_model_processing_results)).scalar() == 1
        stored = connection.execute(
            select(
                transaction_scores.c.row_number, transaction_scores.c.risk_score, transaction_scores.c.transaction_id
            ).order_by(transaction_scores.c.risk_score.desc())
        ).all()
    assert [tuple(r) for r in stored] == [(1, 91.5, "T1"), (2, 3.0, None)]
    summary = saver.get_processing_summary()
    assert summary["ml_results"]["ensemble"]["anomalies_detected"] == 1
    assert "detailed_results" not in summary["ml_results"]["ensemble"]


def test_tracker_weights_and_finalize(engine, job):
    jobs.mark_running(engine, job.id, "run-1")
    tracker.update_step(engine, job.id, "ingest", status="COMPLETED", progress=100.0)
    tracker.update_step(engine, job.id, "default_analytics", status="COMPLETED", progress=100.0)
    tracker.update_step(engine, job.id, "duplicate_analysis", status="RUNNING", progress=50.0)
    with engine.connect() as connection:
        row = tracker.get_tracker(connection, job.id)
    # 20 (ingest) + 20 (default) + 0.5 * 20 (duplicates) = 50
    assert row.overall_progress == 50.0
    assert row.file_processing_status == "COMPLETED" and row.analytics_status == "RUNNING"
    assert row.analytics_progress == pytest.approx(100 * 30 / 60)
    assert row.current_step == "Duplicate analysis" and row.completed_steps == 2

    tracker.update_step(engine, job.id, "duplicate_analysis", status="FAILED", error="boom: bad data")
    saver = AnalyticsDBSaver(job, engine)
    assert saver.finalize_processing(False, "Duplicate analysis failed: boom: bad data")
    assert not saver.finalize_processing(True)  # a terminal state is final
    summary = saver.get_processing_summary()
    assert summary["job"]["status"] == "FAILED" and summary["job"]["dagster_run_id"] == "run-1"
    progress = summary["progress"]
    assert progress["status"] == "FAILED" and progress["analytics_status"] == "FAILED"
    assert [e["error"] for e in progress["error_log"]] == [
        "boom: bad data",
        "Duplicate analysis failed: boom: bad data",
    ]
    assert progress["completed_at"] is not None and progress["total_processing_time"] >= 0


def test_monitoring_queries_run_and_see_the_failed_job(engine, job):
    AnalyticsDBSaver(job, engine).finalize_processing(False, "unreadable file")
    results = {}
    with engine.connect() as connection:
        for path in sorted((SQL_DIR / "queries").glob("*.sql")):
            results[path.stem] = connection.execute(text(path.read_text())).all()
    assert set(results) == {"processing_status", "analytics_result_counts", "ml_model_performance", "failed_jobs"}
    assert [(r.file_name, r.status) for r in results["processing_status"]] == [("ledger.csv", "FAILED")]
    assert [(r.file_name, r.error_message) for r in results["failed_jobs"]] == [("ledger.csv", "unreadable file")]
    assert results["analytics_result_counts"] == []


def test_unknown_step_is_refused(engine, job):
    with pytest.raises(ValueError):
        tracker.update_step(engine, job.id, "no_such_step", status="RUNNING")
    with pytest.raises(LookupError):
        tracker.update_step(engine, uuid.uuid4(), "ingest", status="RUNNING")
