"""POST /api/files: streaming upload into the inbox, registration, PENDING job, limits."""

import hashlib
import json
import uuid

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.api.upload import sanitize_file_name
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import data_files, file_processing_jobs
from fintrace_pipeline.defs.sensors.inbox import job_to_launch
from fintrace_pipeline.inbox import is_candidate
from fintrace_pipeline.persistence.files import get_data_file, register_file
from fintrace_pipeline.persistence.jobs import finish_job
from fintrace_pipeline_tests.api.conftest import make_settings
from fintrace_pipeline_tests.api.test_read_endpoints import error, ok

LEDGER = b"Posting Date,Amount,Vendor\n2024-01-02,100.00,Acme\n2024-01-03,-40.00,Globex\n"


@pytest.fixture
def upload_env(module_database_url, tmp_path):
    settings = make_settings(tmp_path / "var", module_database_url, max_upload_bytes=4096)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def inbox_listing(settings) -> list[str]:
    return sorted(p.name for p in settings.inbox_dir.iterdir() if p.is_file()) if settings.inbox_dir.exists() else []


def unique(content: bytes, tmp_path) -> bytes:
    # The module shares one database: make every test's bytes its own.
    return content + f"2024-01-04,1.00,{tmp_path.name}\n".encode()


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
    assert row.source == "upload" and row.user_mapping == mapping and row.file_name == "Q1_ledger_final_.csv"
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


def test_no_answer_reveals_where_the_server_keeps_files(upload_env, tmp_path):
    client, settings = upload_env
    body = ok(client.post("/api/files", files={"file": ("a.csv", unique(LEDGER, tmp_path))}), 201)
    answers = [
        client.get(f"/api/processing-results/?file_id={body['data_file_id']}"),
        client.get(f"/api/processing-progress/?job_id={body['job_id']}"),
        client.get("/api/files/?limit=1000"),
    ]
    summary = ok(answers[0])["processing_summary"]
    assert summary["data_file"]["file_name"] == "a.csv" and "stored_path" not in summary["data_file"]
    for answer in answers:
        assert "stored_path" not in answer.text and str(settings.var_dir) not in answer.text


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
        get_engine(settings.database_url), path, source="inbox", archive_dir=settings.archive_dir
    )
    body = ok(client.post("/api/files", files={"file": ("dropped.csv", content)}), 201)
    assert body["data_file_id"] == str(data_file.id)
    assert ok(client.get(f"/api/processing-progress/?job_id={body['job_id']}"))["progress"]["status"] == "PENDING"
    assert_the_sensor_runs(settings, body)


def assert_the_sensor_runs(settings, answer) -> None:
    """The file is back in the inbox, and the inbox sensor launches the answered job for it."""
    (name,) = inbox_listing(settings)
    assert (settings.inbox_dir / name).read_bytes()
    launch = job_to_launch(get_engine(settings.database_url), settings.inbox_dir / name, settings)
    assert launch == (answer["data_file_id"], answer["job_id"])


def test_too_large_upload_is_413_and_leaves_nothing_behind(upload_env, tmp_path):
    client, settings = upload_env
    response = client.post("/api/files", files={"file": ("big.csv", b"x" * 5000)})
    error(response, 413)
    assert inbox_listing(settings) == []
    assert all(f["file_name"] != "big.csv" for f in ok(client.get("/api/files/?limit=1000"))["files"])


@pytest.mark.parametrize("name", ["report.pdf", "ledger.csv.exe", "noextension", ""])
def test_unsupported_file_types_are_415(upload_env, name):
    client, settings = upload_env
    error(client.post("/api/files", files={"file": (name, b"a,b\n1,2\n")}), 415)
    assert inbox_listing(settings) == []


def test_a_path_in_the_file_name_cannot_escape_the_inbox(upload_env, tmp_path):
    client, settings = upload_env
    body = ok(client.post("/api/files", files={"file": ("../../../etc/evil.csv", unique(LEDGER, tmp_path))}), 201)
    assert body["file_name"] == "evil.csv"
    (name,) = inbox_listing(settings)
    assert name.endswith("-evil.csv") and not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": {"mapping": "{not json"}},
        {"data": {"mapping": json.dumps(["posting_date"])}},
        {"data": {"mapping": json.dumps({"amount": 3})}},
    ],
)
def test_bad_mapping_is_400_and_leaves_nothing_behind(upload_env, tmp_path, kwargs):
    client, settings = upload_env
    error(client.post("/api/files", files={"file": ("m.csv", unique(LEDGER, tmp_path))}, **kwargs), 400)
    assert inbox_listing(settings) == []


def test_requests_without_a_file_are_400(upload_env):
    client, _ = upload_env
    error(client.post("/api/files", data={"mapping": "{}"}, files={"other": ("x.csv", b"1")}), 400)
    error(client.post("/api/files", content=b"plain", headers={"content-type": "text/plain"}), 400)
    multipart = {"content-type": "multipart/form-data; boundary=b"}
    error(client.post("/api/files", content=b"--b\r\nbroken", headers=multipart), 400)


@pytest.mark.parametrize(
    "supplied, expected",
    [
        ("ledger.csv", "ledger.csv"),
        ("..\\..\\windows\\ledger.xlsx", "ledger.xlsx"),
        ("/etc/passwd", "passwd"),
        (".hidden.csv", "hidden.csv"),
        ("..", "upload"),
        ("grand livre été.tsv", "grand_livre_ete.tsv"),
        ("a" * 300 + ".csv.gz", "a" * 143 + ".csv.gz"),  # 150 characters, suffix kept,
    ],
)
def test_sanitize_file_name(supplied, expected):
    assert sanitize_file_name(supplied) == expected
