"""Which step failures are retried: real database errors from real SQLite and PostgreSQL, classified,
and a per-file asset retried (or not) by its RetryPolicy when materialized through Dagster."""

import sqlite3
import threading

import pytest
from dagster import DagsterInstance, materialize
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from fintrace_pipeline.defs.partitions import data_file_partitions
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.defs.retries import STEP_RETRY_POLICY, is_transient
from fintrace_pipeline.defs.step import StepFailed, StepOutput, stage_asset
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline.stages import STAGE_BY_NAME
from fintrace_pipeline.status import COMPLETED


def sqlite_locked_error(tmp_path) -> OperationalError:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with waiter.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
    except OperationalError as exc:
        return exc
    finally:
        holder.close()
        waiter.dispose()
    raise AssertionError("the second writer was not refused")


def postgres_serialization_error(url: str) -> OperationalError:
    engine = create_engine(url, isolation_level="SERIALIZABLE")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS retry_probe (id int PRIMARY KEY, n int)"))
        connection.execute(text("DELETE FROM retry_probe"))
        connection.execute(text("INSERT INTO retry_probe VALUES (1, 0), (2, 0)"))
    first, second = engine.connect(), engine.connect()
    try:
        first.begin(), second.begin()
        # Each reads what the other writes: write skew, which SERIALIZABLE refuses for one of them.
        first.execute(text("SELECT sum(n) FROM retry_probe")).scalar()
        second.execute(text("SELECT sum(n) FROM retry_probe")).scalar()
        first.execute(text("UPDATE retry_probe SET n = 1 WHERE id = 1"))
        second.execute(text("UPDATE retry_probe SET n = 1 WHERE id = 2"))
        first.commit()
        second.commit()
    except OperationalError as exc:
        return exc
    finally:
        first.close(), second.close()
        engine.dispose()
    raise AssertionError("no serialization failure")


def postgres_dropped_connection_error(url: str) -> Exception:
    engine = create_engine(url)
    killer = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            try:
                connection.execute(text("SELECT 1"))
            except OperationalError as exc:
                return exc
    finally:
        engine.dispose()
        killer.dispose()
    raise AssertionError("the terminated connection still answered")


def integrity_error(engine) -> IntegrityError:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS unique_probe (id int PRIMARY KEY)"))
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO unique_probe VALUES (1), (1)"))
    except IntegrityError as exc:
        return exc
    raise AssertionError("the duplicate key was accepted")


def syntax_error(engine) -> ProgrammingError | OperationalError:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELEC 1"))
    except (ProgrammingError, OperationalError) as exc:
        return exc
    raise AssertionError("the typo was accepted")


def test_sqlite_lock_is_transient_and_its_other_errors_are_not(tmp_path, engine):
    assert is_transient(sqlite_locked_error(tmp_path))
    if engine.dialect.name == "sqlite":
        assert not is_transient(integrity_error(engine))
        assert not is_transient(syntax_error(engine))


@pytest.mark.postgres
def test_postgres_serialization_failure_and_dropped_connection_are_transient(engine, database_url):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL errors")
    assert is_transient(postgres_serialization_error(database_url))
    assert is_transient(postgres_dropped_connection_error(database_url))
    assert not is_transient(integrity_error(engine))
    assert not is_transient(syntax_error(engine))


def test_content_and_code_errors_are_not_transient():
    assert not is_transient(StepFailed("ledger.csv: no column holds posting dates"))
    assert not is_transient(ValueError("database is locked"))  # the words alone are not the error


class FlakyBody:
    """A step body failing with ``errors`` in turn, then completing; it counts its attempts."""

    def __init__(self, *errors: Exception):
        self.errors = list(errors)
        self.attempts = 0
        self.lock = threading.Lock()

    def __call__(self, step):
        with self.lock:
            self.attempts += 1
            if self.errors:
                raise self.errors.pop(0)
        return StepOutput(COMPLETED, {"attempts": self.attempts}, {})


def _materialize(fintrace_env, engine, tmp_path, body):
    settings = get_settings()
    path = tmp_path / "ledger.csv"
    path.write_text("posting_date,amount\n2024-01-02,1.00\n")
    data_file, _ = register_file(engine, path, received_via="cli", archive_dir=settings.archive_dir)
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(data_file_partitions.name, [str(data_file.id)])
    asset = stage_asset(STAGE_BY_NAME["comprehensive_expense"], body)
    return materialize(
        [asset],
        partition_key=str(data_file.id),
        instance=instance,
        resources=fintrace_resources(settings),
        raise_on_error=False,
    )


def test_a_transient_database_error_is_retried_and_the_step_completes(fintrace_env, engine, tmp_path):
    body = FlakyBody(sqlite_locked_error(tmp_path))
    result = _materialize(fintrace_env, engine, tmp_path, body)
    assert result.success and body.attempts == 2


def test_retries_end_after_the_policys_attempts(fintrace_env, engine, tmp_path):
    locked = sqlite_locked_error(tmp_path)
    body = FlakyBody(*[locked] * (STEP_RETRY_POLICY.max_retries + 1))
    result = _materialize(fintrace_env, engine, tmp_path, body)
    assert not result.success and body.attempts == STEP_RETRY_POLICY.max_retries + 1


@pytest.mark.parametrize("error", [StepFailed("ledger.csv: every row was rejected"), KeyError("amount")])
def test_a_files_content_or_a_bug_fails_at_once(fintrace_env, engine, tmp_path, error):
    body = FlakyBody(error)
    result = _materialize(fintrace_env, engine, tmp_path, body)
    assert not result.success and body.attempts == 1
