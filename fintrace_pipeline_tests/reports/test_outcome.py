from fintrace_pipeline.reports.outcome import outcome_json, outcome_text

SUMMARY = {
    "data_file": {"id": "f1", "file_name": "gl.csv", "rows_read": 12, "rows_loaded": 10, "rows_rejected": 2},
    "job": {"id": "j1", "dagster_run_id": "r1", "status": "FAILED", "error_message": "gl.csv: the file is empty"},
    "progress": {"total_processing_time": 3.25},
    "analytics_results": {
        "duplicate_analysis": {
            "processing_status": "COMPLETED",
            "total_transactions": 10,
            "total_amount": 1234.5,
            "duplicates_found": 2,
        }
    },
    "ml_results": {
        "duplicate_detection": {
            "processing_status": "COMPLETED",
            "anomalies_detected": 0,
            "duplicates_found": 2,
            "risk_score": 20.0,
        }
    },
    "flags_by_rule": {"DUP_EXACT": 2},
}


def test_json_outcome_has_the_documented_keys():
    out = outcome_json(SUMMARY)
    assert {
        k: out[k]
        for k in ("data_file_id", "job_id", "status", "rows_in", "rows_loaded", "rows_rejected", "error_message")
    } == {
        "data_file_id": "f1",
        "job_id": "j1",
        "status": "FAILED",
        "rows_in": 12,
        "rows_loaded": 10,
        "rows_rejected": 2,
        "error_message": "gl.csv: the file is empty",
    }


def test_text_outcome_lines():
    lines = outcome_text(SUMMARY).splitlines()
    assert lines[1] == "Job        j1  FAILED in 3.2 s"
    assert lines[2] == "Rows       12 read, 10 loaded, 2 rejected"
    assert lines[3] == "Error      gl.csv: the file is empty"
    assert lines[4].split() == [
        "duplicate_analysis",
        "COMPLETED",
        "total",
        "rows",
        "10,",
        "total",
        "amount",
        "1,234.50,",
        "duplicates",
        "found",
        "2",
    ]
    assert lines[5].split() == [
        "duplicate_detection",
        "COMPLETED",
        "anomalies",
        "0,",
        "duplicates",
        "2,",
        "risk",
        "20.0",
    ]
    assert lines[6] == "Top rules  DUP_EXACT 2"
