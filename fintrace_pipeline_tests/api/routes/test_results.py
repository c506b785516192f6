"""The seed's result endpoints over hand-built results with known values, on SQLite and PostgreSQL."""

import pytest

from fintrace_pipeline_tests.api.conftest import (
    TRIAL_BALANCE,
    UNKNOWN,
    error,
    ok,
)


def test_processing_results_for_a_file_prefer_its_newest_completed_job(client, seeded):
    summary = ok(client.get(f"/api/processing-results/?file_id={seeded.file_id}"))["processing_summary"]
    assert summary["job"]["id"] == str(seeded.completed_job_id)
    assert summary["job"]["status"] == "COMPLETED"
    assert summary["data_file"]["file_name"] == "ledger.csv"
    assert set(summary["analytics_results"]) == {"default_analytics", "duplicate_analysis", "anomaly_detection"}
    assert summary["analytics_results"]["default_analytics"]["total_amount"] == 5587.5
    assert set(summary["ml_results"]) == {"ensemble", "isolation_forest"}
    assert summary["ml_results"]["isolation_forest"]["anomalies_detected"] == 3
    assert summary["progress"]["overall_progress"] == 100.0
    assert summary["flags_by_rule"] == {"DUP_EXACT": 2, "ROUND_AMOUNT": 1, "WEEKEND_POSTING": 1}


def test_processing_results_by_job_and_for_a_file_without_completed_job(client, seeded):
    running = ok(client.get(f"/api/processing-results/?job_id={seeded.running_job_id}"))["processing_summary"]
    assert running["job"]["status"] == "RUNNING" and running["analytics_results"] == {}
    failed = ok(client.get(f"/api/processing-results/?file_id={seeded.failed_file_id}"))["processing_summary"]
    assert failed["job"]["id"] == str(seeded.failed_job_id)
    assert failed["job"]["error_message"] == "could not read the file"


@pytest.mark.parametrize(
    "query, status",
    [
        ("", 400),
        ("?file_id=not-a-uuid", 400),
        ("?job_id=12345", 400),
        (f"?file_id={UNKNOWN}", 404),
        (f"?job_id={UNKNOWN}", 404),
    ],
)
def test_processing_results_errors(client, query, status):
    error(client.get(f"/api/processing-results/{query}"), status)


def test_processing_results_for_a_file_without_jobs_is_404(client, seeded):
    assert "no processing job" in error(client.get(f"/api/processing-results/?file_id={seeded.bare_file_id}"), 404)


def test_analytics_results_carry_sections_under_detailed_results(client, seeded):
    body = ok(client.get(f"/api/analytics-results/?file_id={seeded.file_id}&analytics_type=default_analytics"))
    assert body["file_id"] == str(seeded.file_id) and body["job_id"] == str(seeded.completed_job_id)
    (result,) = body["results"]
    assert result["analytics_type"] == "default_analytics" and result["total_transactions"] == 5
    assert result["detailed_results"]["trial_balance_data"] == TRIAL_BALANCE
    assert result["detailed_results"]["chart_data"] == {"bars": [1, 2, 3]}
    assert result["detailed_results"]["expense_breakdown"] is None
    assert result["parameters"] == {} and result["skipped_checks"] == []


def test_analytics_results_all_and_by_job(client, seeded):
    body = ok(client.get(f"/api/analytics-results/?file_id={seeded.file_id}"))
    assert [r["analytics_type"] for r in body["results"]] == [
        "anomaly_detection",
        "default_analytics",
        "duplicate_analysis",
    ]
    assert body["results"][0]["high_risk_transactions"] == 1
    running = ok(client.get(f"/api/analytics-results/?file_id={seeded.file_id}&job_id={seeded.running_job_id}"))
    assert running["job_id"] == str(seeded.running_job_id) and running["results"] == []


@pytest.mark.parametrize(
    "query, status",
    [
        ("?analytics_type=all", 400),  # file_id is required
        ("?file_id={file}&analytics_type=bogus", 400),
        ("?file_id={file}&job_id=zzz", 400),
        (f"?file_id={UNKNOWN}", 404),
        ("?file_id={file}&job_id={failed_job}", 404),  # a job of another file
    ],
)
def test_analytics_results_errors(client, seeded, query, status):
    query = query.format(file=seeded.file_id, failed_job=seeded.failed_job_id)
    error(client.get(f"/api/analytics-results/{query}"), status)


def test_ml_results_detailed_results_include_model_metrics(client, seeded):
    body = ok(client.get(f"/api/ml-processing-results/?file_id={seeded.file_id}&model_type=all"))
    assert [r["model_type"] for r in body["results"]] == ["ensemble", "isolation_forest"]
    ensemble = body["results"][0]
    assert ensemble["detailed_results"] == {
        "threshold": 70,
        "model_metrics": {"auc": 0.9},
        "feature_importance": {"amount": 0.7},
    }
    assert ensemble["risk_score"] == 95.0 and ensemble["anomalies_detected"] == 1
    only = ok(client.get(f"/api/ml-processing-results/?file_id={seeded.file_id}&model_type=isolation_forest"))
    assert [r["model_type"] for r in only["results"]] == ["isolation_forest"]
    assert only["results"][0]["detailed_results"] == {"model_metrics": {}, "feature_importance": {}}


@pytest.mark.parametrize(
    "query, status",
    [("?model_type=all", 400), ("?file_id={file}&model_type=svm", 400), (f"?file_id={UNKNOWN}&model_type=dbscan", 404)],
)
def test_ml_results_errors(client, seeded, query, status):
    error(client.get(f"/api/ml-processing-results/{query.format(file=seeded.file_id)}"), status)
