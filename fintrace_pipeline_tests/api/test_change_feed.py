"""PostgreSQL: polled answers are served from memory and evicted by change notifications."""

import uuid

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.persistence import jobs, tracker
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline.status import RUNNING
from fintrace_pipeline_tests.api.conftest import eventually, ok


@pytest.fixture
def fresh_job(seeded, tmp_path):
    if not seeded.settings.database_url.startswith("postgresql"):
        pytest.skip("change notifications are a PostgreSQL feature")
    engine = get_engine(seeded.settings.database_url)
    path = tmp_path / "feed.csv"
    path.write_text(f"posting_date,amount\n2024-01-01,{uuid.uuid4().int % 10_000}\n")
    data_file, _ = register_file(engine, path, received_via="cli", archive_dir=seeded.settings.archive_dir)
    return engine, jobs.create_job(engine, data_file.id, trigger="cli")


def test_progress_is_cached_and_follows_tracker_writes(seeded, fresh_job):
    engine, job = fresh_job
    url = f"/api/processing-progress/?job_id={job.id}"
    with TestClient(create_app(seeded.settings)) as client:
        feed = client.app.state.change_feed
        eventually(lambda: ok(client.get(url)) and feed.listening, True, "the listener to connect")
        progress = ok(client.get(url))["progress"]
        assert progress["status"] == "PENDING"
        assert ("progress", job.id) in feed
        tracker.update_step(engine, job.id, "ingest", status=RUNNING, progress=40.0)
        eventually(
            lambda: ok(client.get(url))["progress"]["step_details"]["ingest"].get("progress"),
            40.0,
            "the tracker write",
        )
        jobs.mark_running(engine, job.id, "run-1")
        eventually(lambda: ok(client.get(url))["progress"]["status"], "RUNNING", "the job status")
        assert ("progress", job.id) in feed  # cached again after the eviction


def test_summary_follows_new_results_and_job_status(seeded, fresh_job):
    engine, job = fresh_job
    by_file = f"/api/processing-results/?file_id={job.data_file_id}"
    by_job = f"/api/processing-results/?job_id={job.id}"
    with TestClient(create_app(seeded.settings)) as client:
        feed = client.app.state.change_feed
        eventually(lambda: ok(client.get(by_file)) and feed.listening, True, "the listener to connect")
        assert ok(client.get(by_file))["processing_summary"]["analytics_results"] == {}
        ok(client.get(by_job))
        assert ("file", job.data_file_id) in feed and ("job", job.id) in feed
        AnalyticsDBSaver(job, engine).save_duplicate_analysis(
            AnalysisResult("duplicate_analysis", summary={"duplicates_found": 3})
        )

        def duplicates(url):
            found = ok(client.get(url))["processing_summary"]["analytics_results"].get("duplicate_analysis")
            return found and found["duplicates_found"]

        eventually(lambda: duplicates(by_file), 3, "the new result by file")
        eventually(lambda: duplicates(by_job), 3, "the new result by job")
        jobs.finish_job(engine, job.id, "FAILED", "stopped by hand")
        eventually(lambda: ok(client.get(by_job))["processing_summary"]["job"]["status"], "FAILED", "the status")
        # A newer job of the file becomes the file's answer once it exists.
        newer = jobs.create_job(engine, job.data_file_id, trigger="cli")
        eventually(lambda: ok(client.get(by_file))["processing_summary"]["job"]["id"], str(newer.id), "the new job")


def test_a_lost_listener_empties_the_cache_and_caching_resumes_after_reconnect(seeded, fresh_job):
    engine, job = fresh_job
    url = f"/api/processing-progress/?job_id={job.id}"
    with TestClient(create_app(seeded.settings)) as client:
        feed = client.app.state.change_feed
        eventually(lambda: ok(client.get(url)) and feed.listening, True, "the listener to connect")
        ok(client.get(url))
        assert ("progress", job.id) in feed
        pid = feed.backend_pid
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        eventually(lambda: ("progress", job.id) in feed, False, "the cache to be emptied")
        # Meanwhile answers come from the database and are right.
        tracker.update_step(engine, job.id, "ingest", status=RUNNING, progress=10.0)
        assert ok(client.get(url))["progress"]["step_details"]["ingest"]["progress"] == 10.0
        eventually(lambda: feed.listening and feed.backend_pid != pid, True, "a new listener")
        eventually(lambda: ok(client.get(url)) and ("progress", job.id) in feed, True, "caching to resume")
