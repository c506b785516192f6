"""GET /api/sources/ and the files listing by source; the upload's ``source`` field."""

import json
import uuid

import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.persistence.jobs import finish_job
from fintrace_pipeline_tests.api.conftest import LEDGER, error, make_settings, ok, seed


@pytest.fixture
def env(database_url, tmp_path):
    settings = make_settings(tmp_path / "var", database_url)
    seeded = seed(settings, tmp_path)
    with TestClient(create_app(settings)) as client:
        yield client, seeded


def upload(client, content: bytes, **data):
    return client.post("/api/files", files={"file": ("ledger.csv", content)}, data=data)


def test_each_source_with_its_files_rows_latest_file_and_verdicts(env):
    client, seeded = env
    first = ok(upload(client, LEDGER, source="acme"), 201)
    second = ok(upload(client, LEDGER + b"2024-01-05,3.00,Initech\n", source="acme"), 201)
    verdicts = [
        {"file_id": str(seeded.file_id), "row_number": r, "verdict": v}
        for r, v in ((1, "cleared"), (2, "confirmed"), (3, "confirmed"))
    ]
    ok(client.post("/api/verdicts/", json=verdicts), 201)
    ok(client.post("/api/verdicts/", json={**verdicts[0], "verdict": "follow_up"}), 201)
    sources = {s["source"]: s for s in ok(client.get("/api/sources/"))["sources"]}
    assert list(sources) == ["acme", "default"]
    acme, default = sources["acme"], sources["default"]
    assert (acme["files"], acme["rows"]) == (2, 0)  # not processed yet: no rows loaded
    assert acme["latest_file"]["data_file_id"] == second["data_file_id"] != first["data_file_id"]
    assert acme["verdicts"] == {"confirmed": 0, "cleared": 0, "follow_up": 0, "total": 0}
    # The seeded files; their rows were stored without an ingest, which is what counts rows loaded.
    assert (default["files"], default["rows"]) == (3, 0)
    assert default["verdicts"] == {"confirmed": 2, "cleared": 0, "follow_up": 1, "total": 3}


def test_files_show_their_source_and_channel_and_filter_by_source(env):
    client, seeded = env
    ok(upload(client, LEDGER, source="acme"), 201)
    files = ok(client.get("/api/files/?limit=10"))["files"]
    assert {(f["file_name"], f["source"], f["received_via"]) for f in files} == {
        ("ledger.csv", "acme", "upload"),
        ("ledger.csv", "default", "cli"),
        ("failed.csv", "default", "cli"),
        ("bare.csv", "default", "cli"),
    }
    acme = ok(client.get("/api/files/?source=acme"))
    assert acme["total"] == 1 and [f["source"] for f in acme["files"]] == ["acme"]
    assert ok(client.get("/api/files/?source=initech"))["total"] == 0
    assert "not a valid name" in error(client.get("/api/files/?source=Acme%20Corp"), 400)
    summary = ok(client.get(f"/api/processing-results/?file_id={seeded.file_id}"))["processing_summary"]
    assert (summary["data_file"]["source"], summary["data_file"]["received_via"]) == ("default", "cli")


@pytest.mark.parametrize(
    "name, message",
    [
        ("Acme", "not a valid name"),
        ("a b", "not a valid name"),
        ("-acme", "not a valid name"),
        ("x" * 41, "use 1-40 lowercase letters"),
        ("processed", "reserved"),
    ],
)
def test_an_invalid_source_name_is_400(env, name, message):
    client, seeded = env
    assert message in error(upload(client, LEDGER + name.encode()[:10] + b"\n", source=name), 400)
    assert ok(client.get("/api/files/?source=acme"))["total"] == 0


def test_the_same_bytes_under_another_source_are_409_and_a_file_keeps_its_source(env):
    client, seeded = env
    first = ok(upload(client, LEDGER, source="acme"), 201)
    assert "of source 'acme', not 'globex'" in error(upload(client, LEDGER, source="globex"), 409)
    # Without a source, or with its own, the known file is answered.
    for data in ({}, {"source": "acme"}):
        assert ok(upload(client, LEDGER, **data), 200)["data_file_id"] == first["data_file_id"]
    with get_engine(seeded.settings.database_url).connect() as connection:
        assert get_data_file(connection, uuid.UUID(first["data_file_id"])).source == "acme"


def test_an_upload_has_an_audit_row_from_before_to_after(env):
    client, seeded = env
    mapping = {"posting_date": "Posting Date", "amount": "Amount"}
    first = ok(upload(client, LEDGER, source="acme", mapping=json.dumps(mapping)), 201)
    finish_job(get_engine(seeded.settings.database_url), uuid.UUID(first["job_id"]), "FAILED", "wrong calendar")
    again = ok(upload(client, LEDGER, country="DE"), 201)  # the file again, with its own calendar
    entries = ok(client.get("/api/audit-log/?action=file.upload"))["entries"]
    newest, oldest = entries
    assert (oldest["actor"], oldest["target_type"]) == ("local", "data_file")
    assert oldest["target_id"] == first["data_file_id"]
    assert oldest["before"] is None
    stored = {"file_name": "ledger.csv", "source": "acme", "user_mapping": mapping}
    assert oldest["after"] == {
        **stored,
        "country": None,
        "analysis_options": None,
        "job_id": first["job_id"],
        "job_created": True,
    }
    assert newest["before"] == {**stored, "country": None, "analysis_options": None}
    assert newest["after"]["country"] == "DE" and newest["after"]["user_mapping"] == mapping
    assert (newest["after"]["job_id"], newest["after"]["job_created"]) == (again["job_id"], True)
