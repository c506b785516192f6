"""Listing files: newest first, each with its latest job, filtered and paged."""

import pytest

from fintrace_pipeline_tests.api.conftest import (
    error,
    ok,
)


def test_files_newest_first_with_latest_job_and_high_risk_count(client, seeded):
    body = ok(client.get("/api/files/"))
    assert body["total"] == 3 and body["limit"] == 50 and body["offset"] == 0
    files = body["files"]
    assert [f["file_name"] for f in files] == ["bare.csv", "failed.csv", "ledger.csv"]
    bare, failed, ledger = files
    assert bare["latest_job_id"] is None and bare["latest_job_status"] is None
    assert failed["latest_job_id"] == str(seeded.failed_job_id) and failed["latest_job_status"] == "FAILED"
    # The ledger's newest job is the RUNNING one; it has no anomaly results yet.
    assert ledger["latest_job_id"] == str(seeded.running_job_id) and ledger["latest_job_status"] == "RUNNING"
    assert ledger["high_risk_transactions"] is None and ledger["data_file_id"] == str(seeded.file_id)


def test_files_status_filter_and_pagination(client, seeded):
    failed = ok(client.get("/api/files/?status=FAILED"))
    assert failed["total"] == 1 and [f["file_name"] for f in failed["files"]] == ["failed.csv"]
    assert ok(client.get("/api/files/?status=COMPLETED"))["total"] == 0
    page = ok(client.get("/api/files/?limit=1&offset=1"))
    assert page["total"] == 3 and [f["file_name"] for f in page["files"]] == ["failed.csv"]
    assert ok(client.get("/api/files/?offset=3"))["files"] == []


@pytest.mark.parametrize("query", ["?limit=0", "?limit=1001", "?limit=-1", "?limit=abc", "?offset=-5", "?status=DONE"])
def test_files_bad_parameters(client, query):
    error(client.get(f"/api/files/{query}"), 400)


def test_files_search_matches_a_part_of_the_name_or_the_source_in_any_case(client, seeded):
    assert [f["file_name"] for f in ok(client.get("/api/files/?search=LEDG"))["files"]] == ["ledger.csv"]
    both = ok(client.get("/api/files/?search=.csv&limit=1&offset=1"))
    assert both["total"] == 3 and [f["file_name"] for f in both["files"]] == ["failed.csv"]
    assert ok(client.get("/api/files/?search=default"))["total"] == 3  # every seeded file's source
    assert ok(client.get("/api/files/?search=%25"))["total"] == 0  # a LIKE wildcard is a plain character
    assert ok(client.get("/api/files/?search=bare&status=FAILED"))["total"] == 0
    error(client.get("/api/files/?search=" + "x" * 101), 400)
