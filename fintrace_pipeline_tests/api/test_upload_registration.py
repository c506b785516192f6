"""What an upload becomes: a new file with a PENDING job, or the file the same bytes made before."""

import hashlib
import json
import uuid

from sqlalchemy import select

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import data_files, file_processing_jobs
from fintrace_pipeline.inbox import claim, is_candidate
from fintrace_pipeline.inbox_registration import register_claimed
from fintrace_pipeline.persistence.files import get_data_file, register_file
from fintrace_pipeline.persistence.jobs import finish_job, waiting_for_a_run
from fintrace_pipeline_tests.api.conftest import (
    LEDGER,
    error,
    inbox_listing,
    ok,
    unique,
)


def test_upload_registers_creates_a_pending_job_and_drops_the_file_in_the_inbox(upload_env, tmp_path):
    client, settings = upload_env
    content = unique(LEDGER, tmp_path)
    mapping = {"posting_date": "Posting Date", "amount": "Amount"}
    response = client.post(
        "/api/files",
        files={"file": ("Q1 ledger (final).csv", content, "text/csv")},
        data={"mapping": json.dumps(mapping)},
    )
    body = ok(response, 201)
    assert body["file_name"] == "Q1_ledger_final_.csv"
    (name,) = inbox_listing(settings)
    assert name.endswith("-Q1_ledger_final_.csv") and is_candidate(name)
    assert (settings.inbox_dir / name).read_bytes() == content
    engine = get_engine(settings.database_url)
    with engine.connect() as connection:
        row = connection.execute(select(data_files).where(data_files.c.id == uuid.UUID(body["data_file_id"]))).one()
        jobs = file_processing_jobs
        job = connection.execute(select(jobs).where(jobs.c.id == uuid.UUID(body["job_id"]))).one()
    assert row.sha256 == hashlib.sha256(content).hexdigest() and row.size_bytes == len(content)
    assert (row.received_via, row.source) == ("upload", "default")
    assert row.user_mapping == mapping and row.file_name == "Q1_ledger_final_.csv"
    assert (job.status, job.trigger, job.dagster_run_id) == ("PENDING", "upload", None)
    progress = ok(client.get(f"/api/processing-progress/?job_id={body['job_id']}"))["progress"]
    assert progress["status"] == "PENDING" and progress["overall_progress"] == 0.0


def test_a_byte_identical_reupload_answers_the_existing_file_and_job(upload_env, tmp_path):
    client, settings = upload_env
    content = unique(LEDGER, tmp_path)
    first = ok(client.post("/api/files", files={"file": ("a.csv", content)}), 201)
    again = ok(client.post("/api/files", files={"file": ("renamed.csv", content)}), 200)
    assert (again["data_file_id"], again["job_id"]) == (first["data_file_id"], first["job_id"])
    assert len(inbox_listing(settings)) == 1  # no second copy


def stored_mapping(settings, data_file_id: str):
    with get_engine(settings.database_url).connect() as connection:
        return get_data_file(connection, uuid.UUID(data_file_id)).user_mapping


def test_reupload_with_another_mapping_of_a_processed_file_is_409_and_keeps_its_mapping(upload_env, tmp_path):
    client, settings = upload_env
    content = unique(LEDGER, tmp_path)
    first_mapping = {"posting_date": "Posting Date", "amount": "Amount"}
    first = ok(
        client.post("/api/files", files={"file": ("a.csv", content)}, data={"mapping": json.dumps(first_mapping)}), 201
    )
    finish_job(get_engine(settings.database_url), uuid.UUID(first["job_id"]), "COMPLETED")
    other = {"posting_date": "Posting Date", "amount": "Amount", "vendor": "Vendor"}
    response = client.post("/api/files", files={"file": ("a.csv", content)}, data={"mapping": json.dumps(other)})
    assert first["data_file_id"] in error(response, 409)
    assert stored_mapping(settings, first["data_file_id"]) == first_mapping
    # The same mapping, or none, is simply the known file.
    for data in ({"mapping": json.dumps(first_mapping)}, {}):
        again = ok(client.post("/api/files", files={"file": ("a.csv", content)}, data=data), 200)
        assert (again["data_file_id"], again["job_id"]) == (first["data_file_id"], first["job_id"])
    assert len(inbox_listing(settings)) == 1


def test_reupload_with_another_mapping_after_a_failed_job_is_processed_again_with_it(upload_env, tmp_path):
    client, settings = upload_env
    content = unique(LEDGER, tmp_path)
    wrong = {"posting_date": "Vendor", "amount": "Amount"}
    first = ok(client.post("/api/files", files={"file": ("a.csv", content)}, data={"mapping": json.dumps(wrong)}), 201)
    finish_job(get_engine(settings.database_url), uuid.UUID(first["job_id"]), "FAILED", "no dates")
    for name in inbox_listing(settings):
        (settings.inbox_dir / name).unlink()  # as the sensor does when it takes the file
    fixed = {"posting_date": "Posting Date", "amount": "Amount"}
    again = ok(client.post("/api/files", files={"file": ("a.csv", content)}, data={"mapping": json.dumps(fixed)}), 201)
    assert again["data_file_id"] == first["data_file_id"] and again["job_id"] != first["job_id"]
    assert stored_mapping(settings, first["data_file_id"]) == fixed
    assert_the_sensor_runs(settings, again)


def test_reupload_of_a_registered_file_without_a_job_gets_it_processed(upload_env, tmp_path):
    client, settings = upload_env
    content = unique(LEDGER, tmp_path)
    path = tmp_path / "dropped.csv"
    path.write_bytes(content)
    data_file, _ = register_file(
        get_engine(settings.database_url), path, received_via="inbox", archive_dir=settings.archive_dir
    )
    body = ok(client.post("/api/files", files={"file": ("dropped.csv", content)}), 201)
    assert body["data_file_id"] == str(data_file.id)
    assert ok(client.get(f"/api/processing-progress/?job_id={body['job_id']}"))["progress"]["status"] == "PENDING"
    assert_the_sensor_runs(settings, body)


def assert_the_sensor_runs(settings, answer) -> None:
    """The file is back in the inbox, and the inbox sensor launches the answered job for it."""
    (name,) = inbox_listing(settings)
    assert (settings.inbox_dir / name).read_bytes()
    engine = get_engine(settings.database_url)
    with engine.connect() as connection:
        waiting = {(str(job), str(file)) for job, file, _ in waiting_for_a_run(connection, 10_000)}
    assert (answer["job_id"], answer["data_file_id"]) in waiting  # the sensor requests its run
    # Registering the handed-over file finds its bytes known: no second job.
    claim(settings.inbox_dir, settings.inbox_dir / name)
    assert register_claimed(engine, settings, 10).new_jobs == []


def stored_choices(settings, data_file_id: str):
    with get_engine(settings.database_url).connect() as connection:
        stored = get_data_file(connection, uuid.UUID(data_file_id))
        return stored.country, stored.analysis_options


def test_an_upload_carries_the_file_s_own_calendar_and_limits(upload_env, tmp_path):
    client, settings = upload_env
    content = unique(LEDGER, tmp_path)
    fields = {"country": "de-by", "weekend_days": "Sat,Sun", "approval_limits": "5000,9000", "materiality": "250"}
    first = ok(client.post("/api/files", files={"file": ("a.csv", content)}, data=fields), 201)
    assert stored_choices(settings, first["data_file_id"]) == (
        "DE-BY",
        {
            "weekend_days": ["Saturday", "Sunday"],
            "approval_limits": [5000.0, 9000.0],
            "approval_limits_source": "file",
            "materiality": 250.0,
        },
    )
    # Other choices for bytes whose results used these ones are refused, as another mapping is.
    finish_job(get_engine(settings.database_url), uuid.UUID(first["job_id"]), "COMPLETED")
    response = client.post("/api/files", files={"file": ("a.csv", content)}, data={"country": "AT"})
    assert "use a different calendar or limits" in error(response, 409)
    assert stored_choices(settings, first["data_file_id"])[0] == "DE-BY"


def test_a_calendar_or_limit_that_cannot_be_used_is_refused_with_400_saying_what_is_accepted(upload_env, tmp_path):
    client, settings = upload_env
    content = unique(LEDGER, tmp_path)
    for fields, message in (
        ({"country": "Bavaria"}, "unknown country 'Bavaria': expected an ISO 3166-1 alpha-2 code"),
        ({"country": "DE-XX"}, "unknown subdivision 'XX' of DE (Germany)"),
        ({"materiality": "lots"}, "materiality 'lots' is not an amount"),
        ({"business_hours": "late"}, "expected HH:MM-HH:MM"),
    ):
        response = client.post("/api/files", files={"file": ("a.csv", content)}, data=fields)
        assert message in error(response, 400)
    assert inbox_listing(settings) == []
