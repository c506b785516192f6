"""A results database per backend (SQLite and PostgreSQL) shared by a test module, seeded with
hand-built results whose every value is known, and the API app over it; the checks of its answers."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.findings import AnalysisResult, ModelResult
from fintrace_pipeline.persistence import jobs, tracker
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline.settings import MiB, Settings
from fintrace_pipeline.stages import STAGES
from fintrace_pipeline_tests.conftest import migrated_database_url


def make_settings(var: Path, database_url: str, **changes) -> Settings:
    settings = Settings(
        var_dir=var,
        database_url=database_url,
        dagster_home=var / "dagster",
        inbox_dir=var / "inbox",
        archive_dir=var / "archive",
        max_upload_bytes=1 * MiB,
        max_decompressed_bytes=8 * MiB,
        max_rows=100_000,
        api_token=None,
        cors_origins=(),
        sensor_max_files_per_tick=5,
    )
    return dataclasses.replace(settings, **changes)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_database_url(request, tmp_path_factory) -> str:
    """A migrated, empty results database for the whole module."""
    return migrated_database_url(request, request.param, tmp_path_factory.mktemp("db"))


@dataclasses.dataclass
class Seeded:
    settings: Settings
    file_id: uuid.UUID  # two jobs: an older COMPLETED one with results and a newer RUNNING one
    completed_job_id: uuid.UUID
    running_job_id: uuid.UUID
    failed_file_id: uuid.UUID  # one FAILED job
    failed_job_id: uuid.UUID
    bare_file_id: uuid.UUID  # no job at all


TRANSACTIONS = pd.DataFrame(
    {
        "row_number": [1, 2, 3, 4, 5],
        "posting_date": pd.to_datetime(["2024-01-02", "2024-01-06", "2024-01-06", "2024-01-07", "2024-01-08"]),
        "amount": [100.0, 250.0, 250.0, 5000.0, -12.5],
        "transaction_id": ["T1", "T2", "T3", "T4", "T5"],
        "account": ["6100", "6200", "6200", "6300", "6100"],
        "user": ["alice", "bob", "bob", "carol", "alice"],
        "vendor": ["Acme", '=HYPERLINK("http://x")', '=HYPERLINK("http://x")', "Globex", "+Initech"],
    }
)
SCORES = [10.0, 80.0, 50.0, 95.0, 5.0]  # risk_score of rows 1..5
TRIAL_BALANCE = {
    "totals": {"total_debit": 5600.0, "total_credit": 12.5, "difference": 5587.5, "balanced": False},
    "accounts": {
        "total_groups": 3,
        "shown": 3,
        "items": [
            {"account": "6100", "account_name": "Travel", "debit": 100.0, "credit": 12.5, "net": 87.5, "lines": 2},
            {"account": "6200", "account_name": "Meals", "debit": 500.0, "credit": 0.0, "net": 500.0, "lines": 2},
            {"account": "6300", "account_name": "=cmd", "debit": 5000.0, "credit": 0.0, "net": 5000.0, "lines": 1},
        ],
        "other": {"groups": 0, "debit": 0.0, "credit": 0.0, "net": 0.0, "lines": 0},
        "truncated": False,
    },
    "unbalanced_entries": None,
}


def _flags(rows: list[tuple[int, str, str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_number": [r[0] for r in rows],
            "rule_code": [r[1] for r in rows],
            "severity": [r[2] for r in rows],
            "reason": [r[3] for r in rows],
            "details": [{"n": i} for i in range(len(rows))],
            "group_id": [r[4] for r in rows],
        }
    )


def seed(settings: Settings, tmp: Path) -> Seeded:
    engine = get_engine(settings.database_url)
    files = []
    for name in ("ledger.csv", "failed.csv", "bare.csv"):
        path = tmp / name
        path.write_text(f"posting_date,amount,memo\n2024-01-01,1,{name}\n")
        files.append(register_file(engine, path, received_via="cli", archive_dir=settings.archive_dir)[0])
    ledger, failed, bare = files
    with engine.begin() as connection:
        replace_transactions(
            connection, ledger.id, TRANSACTIONS, pd.DataFrame({"row_number": [], "raw_values": [], "reason": []})
        )
    job = jobs.create_job(engine, ledger.id, trigger="cli")
    jobs.mark_running(engine, job.id, "run-1")
    saver = AnalyticsDBSaver(job, engine)
    saver.save_default_analytics(
        AnalysisResult(
            "default_analytics",
            summary={"total_transactions": 5, "total_amount": 5587.5},
            sections={"trial_balance_data": TRIAL_BALANCE, "chart_data": {"bars": [1, 2, 3]}},
        )
    )
    saver.save_duplicate_analysis(
        AnalysisResult(
            "duplicate_analysis",
            summary={"duplicates_found": 2},
            flags=_flags(
                [
                    (2, "DUP_EXACT", "high", "same vendor, amount and date as row 3", "g1"),
                    (3, "DUP_EXACT", "high", "same vendor, amount and date as row 2", "g1"),
                ]
            ),
        )
    )
    saver.save_anomaly_detection_results(
        AnalysisResult(
            "anomaly_detection",
            summary={"high_risk_transactions": 1, "flagged_transactions": 2},
            flags=_flags(
                [
                    (4, "ROUND_AMOUNT", "high", "round amount 5000", None),
                    (2, "WEEKEND_POSTING", "low", "posted on a Saturday", None),
                ]
            ),
        )
    )
    saver.save_ml_processing_result(
        ModelResult(
            "ensemble",
            anomalies_detected=1,
            risk_score=95.0,
            detailed_results={"threshold": 70},
            model_metrics={"auc": 0.9},
            feature_importance={"amount": 0.7},
        ),
        "ensemble",
        scores=pd.DataFrame(
            {
                "row_number": [1, 2, 3, 4, 5],
                "transaction_id": TRANSACTIONS["transaction_id"],
                "risk_score": SCORES,
                "isolation_forest_score": [0.1] * 5,
                "random_forest_score": [0.2] * 5,
                "dbscan_score": [0.0] * 5,
                "rule_score": [0.5] * 5,
                "reasons": ["", "DUP", "DUP", "ROUND", ""],
                "reason_text": ["", "duplicate", "duplicate", "round amount", ""],
            }
        ),
    )
    saver.save_ml_processing_result(ModelResult("isolation_forest", anomalies_detected=3), "isolation_forest")
    for step in STAGES:
        tracker.update_step(engine, job.id, step.name, status="COMPLETED", progress=100.0)
    saver.finalize_processing(True)
    running = jobs.create_job(engine, ledger.id, trigger="cli")
    jobs.mark_running(engine, running.id, "run-2")
    failed_job = jobs.create_job(engine, failed.id, trigger="cli")
    jobs.finish_job(engine, failed_job.id, "FAILED", "could not read the file")
    return Seeded(settings, ledger.id, job.id, running.id, failed.id, failed_job.id, bare.id)


@pytest.fixture(scope="module")
def seeded(module_database_url, tmp_path_factory) -> Seeded:
    tmp = tmp_path_factory.mktemp("seeded")
    return seed(make_settings(tmp / "var", module_database_url), tmp)


@pytest.fixture(scope="module")
def client(seeded) -> Iterator[TestClient]:
    # One client (one event loop) per app: pooled async connections belong to the loop that made them.
    with TestClient(create_app(seeded.settings)) as test_client:
        yield test_client


def process_generated_ledger(database_url: str, tmp: Path, rows: int, seed: int):
    """A generated ledger of ``rows`` lines really processed (ingest, analytics, ML): its settings and outcome."""
    from dagster import DagsterInstance

    from fintrace_pipeline.generate import generate_ledger, write_ledger
    from fintrace_pipeline.runtime.process import process_file

    settings = make_settings(tmp / "var", database_url)
    settings.dagster_home.mkdir(parents=True)
    path = tmp / "ledger.csv"
    write_ledger(generate_ledger(rows, seed=seed), path)
    with pytest.MonkeyPatch.context() as patch:
        # The pipeline's steps read their settings from the environment.
        patch.setenv("FINTRACE_VAR_DIR", str(settings.var_dir))
        patch.setenv("FINTRACE_DATABASE_URL", database_url)
        patch.setenv("DAGSTER_HOME", str(settings.dagster_home))
        outcome = process_file(path, settings, instance=DagsterInstance.ephemeral())
    assert outcome.summary["job"]["status"] == "COMPLETED", outcome.summary["job"]["error_message"]
    return settings, outcome


UNKNOWN = "00000000-0000-4000-8000-000000000000"
WAIT_S = 10.0


def ok(response, status=200):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    return body


def error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]
    assert "Traceback" not in response.text
    return body["error"]


def eventually(read, expected, what: str):
    """``read()`` until it returns ``expected`` (a notification is asynchronous), bounded."""
    deadline = time.monotonic() + WAIT_S
    value = read()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.02)
        value = read()
    assert value == expected, f"{what}: still {value!r}"


def add_probe_route(app: Starlette, path: str, endpoint: Callable) -> None:
    """A route of the test's own, matched before the app's (the ``/api`` mount would take any /api/ path)."""
    app.router.routes.insert(0, Route(path, endpoint))


@pytest.fixture(scope="module")
def document(client):
    return client.get("/openapi.json").json()


@pytest.fixture
def secured(seeded):
    settings = dataclasses.replace(seeded.settings, api_token="s3cret", cors_origins=("https://audit.example",))
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def postgres_url(module_database_url):
    if not module_database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL outage")
    return module_database_url


# -- uploads ----------------------------------------------------------------------------------------

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
