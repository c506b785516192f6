"""Migration 0007 on real SQLite and PostgreSQL: the append-only audit log, the verdicts' constraints,
and files registered before it keep their channel and join the default source."""

import uuid

import pytest
from sqlalchemy import delete, func, insert, inspect, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.schema import audit_log, data_files, transactions, verdicts
from fintrace_pipeline.persistence import audit
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.files import register_file


def _entry(engine, actor="alice") -> int:
    with engine.begin() as connection:
        audit.record(connection, audit.AuditEntry(actor, audit.USER_ADD, "user", "bob", None, {"role": "viewer"}))
        return connection.execute(select(func.max(audit_log.c.id))).scalar_one()


def test_the_audit_log_refuses_updates_and_deletes(engine):
    entry_id = _entry(engine)
    for statement in (
        update(audit_log).where(audit_log.c.id == entry_id).values(actor="mallory"),
        update(audit_log).values(after=None),
        delete(audit_log).where(audit_log.c.id == entry_id),
        delete(audit_log),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(statement)
    with engine.connect() as connection:
        row = connection.execute(select(audit_log)).one()
    assert (row.actor, row.action, row.target_id, row.after) == ("alice", "user.add", "bob", {"role": "viewer"})


def test_the_audit_log_refuses_truncate_on_postgres(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _entry(engine)
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_log"))
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(audit_log)).scalar_one() == 1


@pytest.fixture
def data_file(engine, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("date,amount\n2024-01-01,5\n")
    return register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a", source="acme")[0]


def _verdict(data_file, **values) -> dict:
    return {
        "data_file_id": data_file.id,
        "source": data_file.source,
        "verdict": "confirmed",
        "reviewer": "alice",
        "recorded_at": utcnow(),
        **values,
    }


@pytest.mark.parametrize(
    "values",
    [
        {"row_number": 1, "je_number": "JE-1"},  # two targets
        {},  # none
        {"row_number": 1, "verdict": "maybe"},
    ],
)
def test_a_verdict_names_exactly_one_target_and_a_known_verdict(engine, data_file, values):
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(verdicts).values(**_verdict(data_file, **values)))


def test_verdicts_go_with_their_file(engine, data_file):
    with engine.begin() as connection:
        connection.execute(insert(verdicts).values(**_verdict(data_file, row_number=1)))
        connection.execute(insert(verdicts).values(**_verdict(data_file, je_number="JE-1", verdict="follow_up")))
        connection.execute(delete(data_files).where(data_files.c.id == data_file.id))
        assert connection.execute(select(func.count()).select_from(verdicts)).scalar_one() == 0


def test_files_registered_before_0007_keep_their_channel_and_join_the_default_source(engine):
    migrate.downgrade(engine, "0006")
    file_id = uuid.uuid4()
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO data_files (id, file_name, sha256, size_bytes, source, created_at, updated_at) "
                "VALUES (:id, 'old.csv', :sha, 10, 'inbox', :now, :now)"
            ),
            {"id": file_id if engine.dialect.name == "postgresql" else file_id.hex, "sha": "ab" * 32, "now": now},
        )
    migrate.upgrade(engine)
    with engine.begin() as connection:
        row = connection.execute(select(data_files).where(data_files.c.id == file_id)).one()
        assert (row.received_via, row.source) == ("inbox", "default")
        # Migration 0003's triggers on data_files still hold: rows need their file, and go with it.
        connection.execute(insert(transactions).values(data_file_id=file_id, row_number=1, posting_date=now, amount=5))
        connection.execute(delete(data_files).where(data_files.c.id == file_id))
        assert connection.execute(select(func.count()).select_from(transactions)).scalar_one() == 0
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(
                insert(transactions).values(data_file_id=uuid.uuid4(), row_number=1, posting_date=now, amount=5)
            )


def test_downgrading_0007_restores_the_channel_column(engine, data_file):
    migrate.downgrade(engine, "0006")
    inspector = inspect(engine)
    assert {"users", "audit_log", "verdicts"}.isdisjoint(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("data_files")}
    assert "source" in columns and "received_via" not in columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT source FROM data_files")).scalar_one() == "cli"
    migrate.upgrade(engine)
