"""POST /api/files: the body streamed into the inbox, its limits, file names and mapping checked."""

import json

import pytest

from fintrace_pipeline.api.upload import sanitize_file_name
from fintrace_pipeline_tests.api.conftest import (
    LEDGER,
    error,
    inbox_listing,
    ok,
    unique,
)


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


@pytest.mark.parametrize(
    "mapping_text",
    [
        json.dumps({"amount": "Amount\u0000"}),
        json.dumps({"amount\u0000": "Amount"}),
        '{"amount": "\\ud800"}',  # an unpaired surrogate: not UTF-8, so no database can store it
    ],
)
def test_a_mapping_the_database_cannot_store_is_400_and_leaves_nothing_behind(client, seeded, mapping_text):
    content = f"Date,Amount\n2024-01-02,1.00\n{mapping_text!r}\n".encode()
    response = client.post("/api/files", files={"file": ("m.csv", content)}, data={"mapping": mapping_text})
    assert "mapping" in error(response, 400)
    assert inbox_listing(seeded.settings) == []


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
