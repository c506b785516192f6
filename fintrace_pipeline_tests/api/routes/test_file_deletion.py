"""Deleting a file end to end, on real SQLite and PostgreSQL with a real Dagster instance: a processed
file with a verdict is deleted through ``DELETE /api/files/{id}`` and ``fintrace files delete``, and
its results, jobs, verdicts, partition and archived original are gone, the audit log kept."""

import dataclasses
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.cli import main
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    audit_log,
    data_files,
    entry_scores,
    file_processing_jobs,
    ml_model_processing_results,
    processing_job_trackers,
    rejected_rows,
    transaction_flags,
    transaction_scores,
    transactions,
    verdicts,
)
from fintrace_pipeline.defs.partitions import data_file_partitions
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.users import add_user
from fintrace_pipeline.runtime.instance import get_instance
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline.status import RUNNING
from fintrace_pipeline_tests.api.conftest import error, ok

PER_FILE_TABLES = (
    file_processing_jobs,
    processing_job_trackers,
    analytics_processing_results,
    ml_model_processing_results,
    transaction_flags,
    transaction_scores,
    entry_scores,
    transactions,
    rejected_rows,
    verdicts,
)


@pytest.fixture
def processed(fintrace_env, tmp_path):
    """A generated ledger processed for real against the Dagster instance at $DAGSTER_HOME."""
    settings = get_settings()
    path = tmp_path / "ledger.csv"
    write_ledger(generate_ledger(400, seed=11), path)
    with get_instance(settings) as instance:
        outcome = process_file(path, settings, instance=instance)
    assert outcome.summary["job"]["status"] == "COMPLETED"
    return settings, outcome.data_file_id


def _rows_of(engine, file_id) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(
                select(func.count()).select_from(table).where(table.c.data_file_id == file_id)
            ).scalar_one()
            for table in PER_FILE_TABLES
        }


def _partitions(settings) -> list[str]:
    with get_instance(settings) as instance:
        return list(instance.get_dynamic_partitions(data_file_partitions.name))


def _archive_of(engine, file_id) -> Path:
    with engine.connect() as connection:
        return Path(connection.execute(select(data_files.c.stored_path).where(data_files.c.id == file_id)).scalar_one())


def _record_verdict(client, file_id):
    body = {"file_id": str(file_id), "row_number": 3, "verdict": "confirmed"}
    ok(client.post("/api/verdicts/", content=json.dumps(body), headers={"Content-Type": "application/json"}), 201)


def test_delete_removes_results_jobs_verdicts_partition_and_archive_and_keeps_the_audit_log(processed):
    settings, file_id = processed
    engine = get_engine(settings.database_url)
    archive = _archive_of(engine, file_id)
    with TestClient(create_app(settings)) as client:
        _record_verdict(client, file_id)
        before = _rows_of(engine, file_id)
        assert all(before[t] > 0 for t in ("transactions", "transaction_scores", "transaction_flags", "verdicts"))
        assert str(file_id) in _partitions(settings) and archive.is_file()
        answer = ok(client.delete(f"/api/files/{file_id}"))
        assert answer == {
            "success": True,
            "data_file_id": str(file_id),
            "file_name": "ledger.csv",
            "jobs_deleted": 1,
            "verdicts_deleted": 1,
            "partition_removed": True,
            "archive_removed": True,
        }
        assert ok(client.get("/api/files/"))["total"] == 0
        error(client.get(f"/api/processing-results/?file_id={file_id}"), 404)
        error(client.delete(f"/api/files/{file_id}"), 404)  # once only
    assert set(_rows_of(engine, file_id).values()) == {0}
    assert str(file_id) not in _partitions(settings) and not archive.exists()
    with engine.connect() as connection:
        log = connection.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert [row.action for row in log] == ["verdict.record", "file.delete"]  # the verdict's row stays
    deletion = log[-1]
    assert deletion.target_id == str(file_id) and deletion.after == {"archive_kept": False}
    assert deletion.before["file_name"] == "ledger.csv" and deletion.before["verdicts"] == 1
    assert deletion.before["jobs"] == 1 and deletion.before["rows_loaded"] == 400


def test_the_archive_stays_while_another_file_refers_to_the_same_bytes(processed):
    settings, file_id = processed
    engine = get_engine(settings.database_url)
    archive = _archive_of(engine, file_id)
    other = uuid.uuid4()
    with engine.begin() as connection:
        row = connection.execute(select(data_files).where(data_files.c.id == file_id)).one()._asdict()
        connection.execute(insert(data_files).values({**row, "id": other, "sha256": "f" * 64, "file_name": "twin.csv"}))
    with TestClient(create_app(settings)) as client:
        assert ok(client.delete(f"/api/files/{file_id}"))["archive_removed"] is False
        assert archive.is_file()
        # The last file referring to the bytes takes them with it.
        assert ok(client.delete(f"/api/files/{other}"))["archive_removed"] is True
    assert not archive.exists()


def test_fintrace_files_delete_does_the_same_from_the_command_line(processed, capsys):
    settings, file_id = processed
    engine = get_engine(settings.database_url)
    assert main(["files", "delete", str(file_id)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"deleted ledger.csv (data file {file_id}): 1 jobs and their results, 0 verdicts")
    assert out.strip().endswith("its Dagster partition; archived original removed")
    assert set(_rows_of(engine, file_id).values()) == {0} and str(file_id) not in _partitions(settings)
    with engine.connect() as connection:
        [actor] = connection.execute(select(audit_log.c.actor).where(audit_log.c.action == "file.delete")).scalars()
    assert actor.startswith("cli")
    assert main(["files", "delete", str(file_id)]) == 1
    assert f"no data file has id {file_id}" in capsys.readouterr().err
    assert main(["files", "delete", "not-an-id"]) == 1
    assert "a data file id is a UUID" in capsys.readouterr().err


def test_a_file_being_processed_is_refused_and_kept(processed):
    settings, file_id = processed
    engine = get_engine(settings.database_url)
    job = jobs.create_job(engine, file_id, trigger="dagster")
    jobs.mark_running(engine, job.id, "run-now")
    with TestClient(create_app(settings)) as client:
        message = error(client.delete(f"/api/files/{file_id}"), 409)
    assert "is being processed now" in message and "cancel its run" in message
    assert _rows_of(engine, file_id)["transactions"] == 400 and str(file_id) in _partitions(settings)
    with engine.connect() as connection:
        assert jobs.get_job(connection, job.id).status == RUNNING


def test_only_an_admin_may_delete_and_a_bad_id_is_400(processed):
    settings, file_id = processed
    engine = get_engine(settings.database_url)
    _, reviewer = add_user(engine, settings.token_key(), "rita", "reviewer", actor="test")
    secured = dataclasses.replace(settings, api_token="s3cret")
    with TestClient(create_app(secured)) as client:
        message = error(client.delete(f"/api/files/{file_id}", headers={"Authorization": f"Bearer {reviewer}"}), 403)
        assert message == "deleting files needs the admin role; rita is a reviewer"
        error(client.delete("/api/files/not-a-uuid", headers={"Authorization": "Bearer s3cret"}), 400)
        error(client.delete(f"/api/files/{uuid.uuid4()}", headers={"Authorization": "Bearer s3cret"}), 404)
    assert _rows_of(engine, file_id)["transactions"] == 400
