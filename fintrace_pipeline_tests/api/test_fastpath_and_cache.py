"""PostgreSQL hot paths answer exactly as the generic views; cached summaries follow every change."""

import asyncio
import json
import uuid

import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api import fastpath, queries
from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.api.driver_pool import DriverPool
from fintrace_pipeline.api.summary_cache import SummaryCache
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.persistence import jobs, views
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline_tests.api.test_change_feed import eventually
from fintrace_pipeline_tests.api.test_read_endpoints import ok


@pytest.fixture
def postgres_seeded(seeded):
    if not seeded.settings.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL hot paths")
    return seeded


def _on_driver(url: str, query, *args):
    from fintrace_pipeline.api.db import _server_settings

    async def run():
        pool = DriverPool(url, _server_settings(url))
        try:
            return await pool.run(query, *args)
        finally:
            await pool.close()

    return asyncio.run(run())


def test_progress_json_equals_the_progress_view(postgres_seeded):
    url = postgres_seeded.settings.database_url
    engine = get_engine(url)
    for job_id in (postgres_seeded.completed_job_id, postgres_seeded.running_job_id, postgres_seeded.failed_job_id):
        with engine.connect() as connection:
            expected = views.progress_view(connection, job_id)
        assert json.loads(_on_driver(url, fastpath.progress_json, job_id)) == expected
    assert _on_driver(url, fastpath.progress_json, uuid.uuid4()) is None


def test_job_state_picks_the_same_job_as_the_generic_query(postgres_seeded):
    s = postgres_seeded
    url = s.settings.database_url
    with get_engine(url).connect() as connection:
        for file_id, job_id in (
            (s.file_id, None),
            (s.failed_file_id, None),
            (None, s.running_job_id),
            (s.file_id, s.running_job_id),
        ):
            generic = queries.job_state(connection, file_id, job_id)
            fast = _on_driver(url, fastpath.job_state, file_id, job_id)
            assert fast[:2] == generic[:2]
        assert queries.job_state(connection, s.bare_file_id, None) is None
    assert _on_driver(url, fastpath.job_state, s.bare_file_id, None) is None
    assert _on_driver(url, fastpath.job_state, s.failed_file_id, s.running_job_id) is None  # another file's job


def test_a_cached_summary_is_rebuilt_after_any_write(seeded, tmp_path):
    engine = get_engine(seeded.settings.database_url)
    path = tmp_path / "cache.csv"
    path.write_text(f"posting_date,amount\n2024-01-01,{uuid.uuid4().int % 1000}\n")
    from fintrace_pipeline.persistence.files import register_file

    data_file, _ = register_file(engine, path, source="cli", archive_dir=seeded.settings.archive_dir)
    job = jobs.create_job(engine, data_file.id, trigger="cli")
    url = f"/api/processing-results/?file_id={data_file.id}"
    with TestClient(create_app(seeded.settings)) as client:

        def summary():
            return ok(client.get(url))["processing_summary"]

        first = summary()
        assert first["job"]["status"] == "PENDING" and first["analytics_results"] == {}
        assert len(client.app.state.summary_cache) == 1

        # On PostgreSQL a write made elsewhere shows once its change notification has arrived.
        def duplicates_found():
            found = summary()["analytics_results"].get("duplicate_analysis")
            return found and found["duplicates_found"]

        AnalyticsDBSaver(job, engine).save_duplicate_analysis(
            AnalysisResult("duplicate_analysis", summary={"duplicates_found": 7})
        )
        eventually(duplicates_found, 7, "the first result")
        AnalyticsDBSaver(job, engine).save_duplicate_analysis(
            AnalysisResult("duplicate_analysis", summary={"duplicates_found": 9})
        )
        eventually(duplicates_found, 9, "the replaced result")
        jobs.finish_job(engine, job.id, "FAILED", "stopped")
        eventually(lambda: summary()["job"]["status"], "FAILED", "the status")


def test_summary_cache_is_bounded_and_token_checked():
    cache = SummaryCache(max_entries=2)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    cache.put(a, ("1",), b"A")
    cache.put(b, ("1",), b"B")
    assert cache.get(a, ("1",)) == b"A"  # a is now the most recently used
    cache.put(c, ("1",), b"C")
    assert cache.get(b, ("1",)) is None and cache.get(a, ("1",)) == b"A" and cache.get(c, ("1",)) == b"C"
    assert cache.get(a, ("2",)) is None  # stale token
    disabled = SummaryCache(max_entries=0)
    disabled.put(a, ("1",), b"A")
    assert disabled.get(a, ("1",)) is None
