"""Steps on Celery workers need PostgreSQL for the results and the Dagster instance, and say so at start."""

from __future__ import annotations

import uuid

import pytest
from dagster import DagsterInstance, instance_for_test
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fintrace_pipeline.cli import main
from fintrace_pipeline.defs.executors import celery_app_args, step_executor_for
from fintrace_pipeline.runtime.workers import WorkersNeedPostgres, require_shared_databases, worker_argv
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline_tests.conftest import PG_ADMIN_URL


@pytest.fixture
def postgres_instance():
    """A Dagster instance on a scratch PostgreSQL database of its own."""
    name = f"dagster_workers_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}}) as instance:
        yield instance
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()



@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_results_and_sqlite_instance_are_both_named_with_what_to_set(fintrace_env, database_url):
    with instance_for_test() as instance:  # SQLite storage in a temporary folder
        with pytest.raises(WorkersNeedPostgres) as refused:
            require_shared_databases(get_settings(), instance)
    message = str(refused.value)
    assert "need PostgreSQL for both the results and the Dagster instance" in message
    assert f"the results database is SQLite ({database_url})" in message
    assert "FINTRACE_DATABASE_URL=postgresql+psycopg2://" in message
    assert "runs in SqliteRunStorage" in message and "FINTRACE_DAGSTER_PG_URL=" in message


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgres_results_with_a_sqlite_instance_names_only_the_instance(fintrace_env, database_url):
    with pytest.raises(WorkersNeedPostgres) as refused:
        require_shared_databases(get_settings(), DagsterInstance.ephemeral())
    message = str(refused.value)
    assert len(message.splitlines()) == 2 and "results database" not in message
    assert "keeps its runs in InMemoryRunStorage and event logs in InMemoryEventLogStorage" in message


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgres_for_both_is_accepted(fintrace_env, database_url, postgres_instance):
    require_shared_databases(get_settings(), postgres_instance)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_results_with_a_postgres_instance_names_only_the_results(fintrace_env, database_url, postgres_instance):
    with pytest.raises(WorkersNeedPostgres, match="the results database is SQLite") as refused:
        require_shared_databases(get_settings(), postgres_instance)
    (problem,) = str(refused.value).splitlines()[1:]
    assert problem.startswith("  - the results database is SQLite")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "argv", [["up", "--workers", "2", "--no-demo"], ["worker"]], ids=["up --workers 2", "worker"]
)
def test_the_commands_refuse_to_start_on_sqlite(fintrace_env, database_url, argv, capsys):
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert error.startswith("fintrace: steps on Celery workers need PostgreSQL")
    assert "the results database is SQLite" in error and "FINTRACE_DAGSTER_PG_URL" in error


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_celery_executor_on_sqlite_is_refused_at_start_too(fintrace_env, database_url, monkeypatch, capsys):
    monkeypatch.setenv("FINTRACE_EXECUTOR", "celery")
    assert main(["up", "--no-demo"]) == 1
    assert "need PostgreSQL" in capsys.readouterr().err


def test_the_executor_setting_chooses_where_steps_run(monkeypatch, tmp_path):
    monkeypatch.setenv("FINTRACE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("FINTRACE_EXECUTOR", raising=False)
    assert step_executor_for(get_settings()).name == "fintrace_step_executor"
    monkeypatch.setenv("FINTRACE_EXECUTOR", "Celery")
    assert step_executor_for(get_settings()).name == "fintrace_celery_executor"
    monkeypatch.setenv("FINTRACE_EXECUTOR", "kubernetes")
    with pytest.raises(ValueError, match="FINTRACE_EXECUTOR must be one of multiprocess, celery, got 'kubernetes'"):
        get_settings()


@pytest.mark.parametrize(
    ("broker", "backend", "expected_backend"),
    [
        (None, None, "redis://127.0.0.1:6379/0"),
        ("redis://cache.internal:6379/3", None, "redis://cache.internal:6379/3"),
        ("amqp://guest:guest@127.0.0.1:5672//", None, "rpc://"),
        ("amqp://guest:guest@127.0.0.1:5672//", "redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/1"),
    ],
)
def test_broker_and_backend_settings(monkeypatch, tmp_path, broker, backend, expected_backend):
    monkeypatch.setenv("FINTRACE_VAR_DIR", str(tmp_path))
    for name, value in (("FINTRACE_CELERY_BROKER", broker), ("FINTRACE_CELERY_BACKEND", backend)):
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    args = celery_app_args(get_settings())
    assert args["broker"] == (broker or "redis://127.0.0.1:6379/0")
    assert args["backend"] == expected_backend
    assert args["config_source"]["task_track_started"] is True  # the watch reads the running worker


def test_shared_storage_root_holds_archive_and_snapshots(monkeypatch, tmp_path):
    monkeypatch.setenv("FINTRACE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FINTRACE_SHARED_DIR", str(tmp_path / "nfs"))
    monkeypatch.delenv("FINTRACE_ARCHIVE", raising=False)
    settings = get_settings()
    assert settings.shared_root == tmp_path / "nfs"
    assert settings.archive_dir == tmp_path / "nfs" / "archive"
    monkeypatch.delenv("FINTRACE_SHARED_DIR")
    assert get_settings().archive_dir == tmp_path / "var" / "archive"  # the default: under var/, as before


def test_worker_command_line_runs_the_projects_celery_app_on_dagsters_queue():
    argv = worker_argv("fintrace-1", concurrency=3)
    assert argv[1:4] == ["-A", "fintrace_pipeline.runtime.celery_app", "worker"]
    assert argv[argv.index("--queues") + 1] == "dagster"
    assert argv[argv.index("--hostname") + 1] == "fintrace-1@%h"
    assert argv[argv.index("--concurrency") + 1] == "3"
