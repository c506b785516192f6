"""POST /api/files/preview: the answer of `fintrace inspect --json` for an uploaded file, with the
upload's limits and checks, and nothing left behind: no inbox file, no temporary file, no row."""

from __future__ import annotations

import json
import tempfile

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import data_files, file_processing_jobs
from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.preview import preview_file
from fintrace_pipeline.settings import MiB
from fintrace_pipeline_tests.api.conftest import LEDGER, error, inbox_listing, make_settings, ok
from fintrace_pipeline_tests.ingest.test_real_exports import FOLDER, MANIFEST, needs_corpus

PREVIEW = "/api/files/preview"
REAL_EXPORTS = ["us_hawaii_expenditures_2014.csv", "uk_oxford_spend_2015q2.csv", "uk_lancashire_pcc_spend_2023_24.xlsx"]


@pytest.fixture
def temp_folder(tmp_path, monkeypatch):
    """Where the app's temporary files go during the test, to see that none stays."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def preview_env(module_database_url, tmp_path, temp_folder):
    settings = make_settings(tmp_path / "var", module_database_url, max_upload_bytes=4 * MiB)
    with TestClient(create_app(settings)) as client:
        yield client, settings


@pytest.fixture
def small_limit_env(module_database_url, tmp_path, temp_folder):
    settings = make_settings(tmp_path / "var", module_database_url, max_upload_bytes=4096)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def stored_rows(settings) -> tuple[int, int]:
    with get_engine(settings.database_url).connect() as connection:
        return tuple(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (data_files, file_processing_jobs)
        )


def left_behind(settings, temp_folder) -> list[str]:
    """Whatever a preview could have left: inbox files, archived copies, temporary files."""
    archived = [p.name for p in settings.archive_dir.rglob("*")] if settings.archive_dir.exists() else []
    return inbox_listing(settings) + archived + [p.name for p in temp_folder.rglob("*")]


def limits(settings) -> dict:
    return {
        "max_decompressed_bytes": settings.max_decompressed_bytes,
        "max_rows": settings.max_rows,
        "missing_values": settings.missing_values,
    }


def as_json(value):
    return json.loads(json.dumps(value))


@needs_corpus
@pytest.mark.parametrize("name", REAL_EXPORTS)
def test_a_real_export_previews_as_inspect_reads_it_and_nothing_is_stored(preview_env, temp_folder, name):
    client, settings = preview_env
    path = FOLDER / name
    before = stored_rows(settings)
    body = ok(client.post(PREVIEW, files={"file": (name, path.read_bytes())}))
    expected = preview_file(path, **limits(settings))
    assert body == {"success": True, **as_json(expected)}
    manifest = next(entry for entry in MANIFEST if entry["file"] == name)
    assert {c["canonical"]: c["column"] for c in body["columns"]} == manifest["mapping"]
    assert body["file_name"] == name and body["missing"] == [] and body["problem"] is None
    assert stored_rows(settings) == before
    assert left_behind(settings, temp_folder) == []


@needs_corpus
def test_a_mapping_is_previewed_as_inspect_previews_it(preview_env, temp_folder):
    client, settings = preview_env
    path = FOLDER / "uk_oxford_spend_2015q2.csv"
    mapping = {"amount": "Amount", "transaction_id": "Supplier ID", "vendor": ""}
    body = ok(
        client.post(PREVIEW, files={"file": (path.name, path.read_bytes())}, data={"mapping": json.dumps(mapping)})
    )
    assert body == {"success": True, **as_json(preview_file(path, user_mapping=mapping, **limits(settings)))}
    columns = {c["canonical"]: c for c in body["columns"]}
    assert (columns["transaction_id"]["column"], columns["transaction_id"]["decided_by"]) == ("Supplier ID", "user")
    assert "vendor" not in columns and "Supplier Name" in body["unmapped_columns"]
    assert columns["posting_date"]["decided_by"] != "user"  # still guessed
    assert left_behind(settings, temp_folder) == []


def test_a_file_that_cannot_be_mapped_answers_the_problem_and_a_mapping_to_try(preview_env, temp_folder):
    client, settings = preview_env
    body = ok(client.post(PREVIEW, files={"file": ("odd.csv", b"When,How much,Who\n2024-01-02,5.00,ann\n")}))
    assert body["missing"] == ["posting_date", "amount"]
    assert body["problem"].endswith("""--mapping '{"posting_date": "When", "amount": "How much"}'""")
    assert body["unmapped_columns"] == ["When", "How much", "Who"] and body["columns"] == []
    mapped = ok(
        client.post(
            PREVIEW,
            files={"file": ("odd.csv", b"When,How much,Who\n2024-01-02,5.00,ann\n")},
            data={"mapping": json.dumps({"posting_date": "When", "amount": "How much"})},
        )
    )
    assert mapped["missing"] == [] and mapped["problem"] is None
    assert [(c["canonical"], c["samples"]) for c in mapped["columns"]] == [
        ("posting_date", ["2024-01-02T00:00:00"]),
        ("amount", [5.0]),
    ]
    assert mapped["unmapped_columns"] == ["Who"]
    assert left_behind(settings, temp_folder) == []


def test_an_unreadable_file_is_400_with_the_readers_reason(preview_env, temp_folder, tmp_path):
    client, settings = preview_env
    content = b"PK\x03\x04 this is not really a workbook" * 20
    local = tmp_path / "scrambled.xlsx"
    local.write_bytes(content)
    with pytest.raises(IngestError) as raised:
        preview_file(local, **limits(settings))
    before = stored_rows(settings)
    assert error(client.post(PREVIEW, files={"file": ("scrambled.xlsx", content)}), 400) == str(raised.value)
    assert error(client.post(PREVIEW, files={"file": ("empty.csv", b"")}), 400) == "the file is empty"
    assert stored_rows(settings) == before
    assert left_behind(settings, temp_folder) == []


def test_a_mapping_naming_no_column_of_the_file_is_400(preview_env, temp_folder):
    client, settings = preview_env
    response = client.post(PREVIEW, files={"file": ("m.csv", LEDGER)}, data={"mapping": '{"amount": "Betrag"}'})
    assert "'Betrag' for amount, but the file has no such column" in error(response, 400)
    assert left_behind(settings, temp_folder) == []


def test_too_large_is_413_as_on_upload_and_leaves_nothing(small_limit_env, temp_folder):
    client, settings = small_limit_env
    before = stored_rows(settings)
    message = error(client.post(PREVIEW, files={"file": ("big.csv", LEDGER + b"2024-01-04,1.00,x\n" * 400)}), 413)
    assert message == error(client.post("/api/files", files={"file": ("big.csv", b"x" * 5000)}), 413)
    assert stored_rows(settings) == before
    assert left_behind(settings, temp_folder) == []


@pytest.mark.parametrize("name", ["report.pdf", "ledger.csv.exe", ""])
def test_unsupported_file_types_are_415_as_on_upload(small_limit_env, temp_folder, name):
    client, settings = small_limit_env
    message = error(client.post(PREVIEW, files={"file": (name, LEDGER)}), 415)
    assert message == error(client.post("/api/files", files={"file": (name, LEDGER)}), 415)
    assert left_behind(settings, temp_folder) == []


@pytest.mark.parametrize(
    "mapping_text",
    ["{not json", json.dumps(["posting_date"]), json.dumps({"amount": 3}), json.dumps({"amount": "Amount\u0000"})],
)
def test_bad_mapping_is_400_and_leaves_nothing(small_limit_env, temp_folder, mapping_text):
    client, settings = small_limit_env
    response = client.post(PREVIEW, files={"file": ("m.csv", LEDGER)}, data={"mapping": mapping_text})
    assert "mapping" in error(response, 400)
    assert left_behind(settings, temp_folder) == []


def test_a_request_without_a_file_is_400(small_limit_env):
    client, _ = small_limit_env
    error(client.post(PREVIEW, data={"mapping": "{}"}, files={"other": ("x.csv", b"1")}), 400)
    error(client.post(PREVIEW, content=b"plain", headers={"content-type": "text/plain"}), 400)


def test_the_preview_is_documented_with_its_answer(document):
    operation = document["paths"]["/api/files/preview"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "413", "415"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/PreviewResponse"}
    shape = document["components"]["schemas"]["PreviewResponse"]
    assert {"columns", "unmapped_columns", "missing", "problem", "warnings", "mappable_columns"} <= set(
        shape["required"]
    )
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file"] and set(form["properties"]) == {"file", "mapping"}
