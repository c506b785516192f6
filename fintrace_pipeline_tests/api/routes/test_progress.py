"""A job's progress in every state, and the errors of the progress endpoint."""

import pytest

from fintrace_pipeline_tests.api.conftest import (
    error,
    ok,
)


def test_progress_reports_the_job_status_for_every_state(client, seeded):
    done = ok(client.get(f"/api/processing-progress/?job_id={seeded.completed_job_id}"))["progress"]
    assert done["status"] == "COMPLETED" and done["overall_progress"] == 100.0
    assert [s["name"] for s in done["steps"]] == [
        "ingest",
        "default_analytics",
        "comprehensive_expense",
        "duplicate_analysis",
        "anomaly_detection",
        "history_comparison",
        "reference_checks",
        "ml_ensemble",
    ]
    running = ok(client.get(f"/api/processing-progress/?job_id={seeded.running_job_id}"))["progress"]
    assert running["status"] == "RUNNING" and running["overall_progress"] == 0.0
    assert running["job_id"] == str(seeded.running_job_id)
    failed = ok(client.get(f"/api/processing-progress/?job_id={seeded.failed_job_id}"))["progress"]
    assert failed["status"] == "FAILED"
    assert [e["error"] for e in failed["error_log"]] == ["could not read the file"]


@pytest.mark.parametrize(
    "query, status", [("", 400), ("?job_id=1", 400), ("?job_id=00000000-0000-4000-8000-000000000000", 404)]
)
def test_progress_errors(client, query, status):
    error(client.get(f"/api/processing-progress/{query}"), status)
