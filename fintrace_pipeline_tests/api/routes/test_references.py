"""POST /api/references and GET /api/references: reviewers and admins upload a source's lists, every
version is kept and listed, viewers read them; a file that cannot be read is a 400 saying why."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.persistence.references import newest_reference_lists
from fintrace_pipeline.persistence.users import add_user
from fintrace_pipeline_tests.api.conftest import error, inbox_listing, make_settings, ok

MASTER = (
    b"Lieferantennummer;Lieferantenname;IBAN;Angelegt am\nK1;Nordwind GmbH;DE89 3704 0044 0532 0130 00;02.03.2024\n"
)
EMPLOYEES = b"Employee ID,Employee Name,Bank Account\nE-17,Jana Novak,DE89370400440532013000\n"


@pytest.fixture
def env(database_url, tmp_path):
    settings = make_settings(tmp_path / "var", database_url)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def token(settings, name: str, role: str) -> dict[str, str]:
    _, secret = add_user(get_engine(settings.database_url), settings.token_key(), name, role, actor="test")
    return {"Authorization": f"Bearer {secret}"}


def upload(client, headers, content=MASTER, name="lieferanten.csv", **fields):
    data = {"kind": "vendor_master", "source": "acme", **fields}
    return client.post("/api/references", files={"file": (name, content)}, data=data, headers=headers)


def test_reviewers_and_admins_upload_viewers_read(env):
    client, settings = env
    viewer = token(settings, "vic", "viewer")
    reviewer = token(settings, "rita", "reviewer")
    admin = token(settings, "ada", "admin")
    assert error(upload(client, viewer), 403) == "uploading reference lists needs the reviewer role; vic is a viewer"
    first = ok(upload(client, reviewer), 201)
    assert (first["source"], first["kind"], first["version"], first["rows"]) == ("acme", "vendor_master", 1, 1)
    assert first["uploaded_by"] == "rita" and first["file_name"] == "lieferanten.csv"
    assert first["column_mapping"] == {
        "name": "Lieferantenname",
        "id": "Lieferantennummer",
        "bank_account": "IBAN",
        "added_date": "Angelegt am",
    }
    second = ok(upload(client, admin, MASTER + b"K2;Acme Ltd;;01.01.2025\n"), 201)
    assert second["version"] == 2 and second["rows"] == 2
    ok(upload(client, admin, EMPLOYEES, "staff.csv", kind="employees"), 201)
    ok(upload(client, admin, EMPLOYEES, "other.csv", kind="employees", source="beta"), 201)

    listed = ok(client.get("/api/references?source=acme", headers=viewer))["references"]
    assert [(r["kind"], r["version"], r["rows"]) for r in listed] == [
        ("employees", 1, 1),
        ("vendor_master", 2, 2),
        ("vendor_master", 1, 1),
    ]
    assert len(ok(client.get("/api/references", headers=viewer))["references"]) == 4
    # The newest version is the one the checks read, with its entries normalised.
    with get_engine(settings.database_url).connect() as connection:
        lists = newest_reference_lists(connection, "acme")
    assert lists.vendor_master.version == 2
    assert lists.vendor_master.entries["name_normalized"].tolist() == ["NORDWIND", "ACME"]
    assert lists.vendor_master.entries["bank_account_normalized"].tolist()[0] == "DE89370400440532013000"
    assert str(lists.vendor_master.entries["added_date"].iloc[1].date()) == "2025-01-01"
    assert lists.employees.entries["id"].tolist() == ["E-17"]
    # Nothing is left in the inbox: a reference list is no ledger to process.
    assert inbox_listing(settings) == []


def test_bad_uploads_are_400_with_the_reason_and_store_nothing(env):
    client, settings = env
    admin = token(settings, "ada", "admin")
    assert error(upload(client, admin, kind="customers"), 400) == (
        "kind must be one of vendor_master, employees; got 'customers'"
    )
    assert "not a valid name" in error(upload(client, admin, source="Not A Slug"), 400)
    message = error(upload(client, admin, b"Nummer,IBAN\n1001,GB29NWBK60161331926819\n", "x.csv"), 400)
    assert message.startswith("x.csv: the vendor master has no column that looks like a name")
    assert "--mapping" in message
    assert "unsupported file type" in error(upload(client, admin, name="list.pdf"), 415)
    assert error(client.get("/api/references?source=Not A Slug", headers=admin), 400)
    assert ok(client.get("/api/references", headers=admin))["references"] == []
    assert inbox_listing(settings) == []


def test_without_users_the_local_admin_uploads(env):
    client, _ = env
    stored = ok(upload(client, {}, EMPLOYEES, "staff.csv", kind="employees", source="default"), 201)
    assert stored["version"] == 1 and stored["column_mapping"]["bank_account"] == "Bank Account"
