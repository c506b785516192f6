"""The reader's choice of source: a cached summary is served until any write changes the job."""

import uuid

from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline_tests.api.conftest import (
    eventually,
    ok,
)


def test_a_cached_summary_is_rebuilt_after_any_write(seeded, tmp_path):
    engine = get_engine(seeded.settings.database_url)
    path = tmp_path / "cache.csv"
    path.write_text(f"posting_date,amount\n2024-01-01,{uuid.uuid4().int % 1000}\n")

    data_file, _ = register_file(engine, path, received_via="cli", archive_dir=seeded.settings.archive_dir)
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
