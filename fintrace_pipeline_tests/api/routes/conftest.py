"""The files the verdict and review-queue tests record verdicts on, each in a database of the test's own."""

import pandas as pd
import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.findings import ModelResult
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline_tests.api.conftest import make_settings, seed
from fintrace_pipeline_tests.api.routes.test_flagged_entries import ENTRIES, LINE_RISK, LINES


@pytest.fixture
def env(database_url, tmp_path):
    """A seeded database of the test's own (verdicts change what every other read shows)."""
    settings = make_settings(tmp_path / "var", database_url)
    seeded = seed(settings, tmp_path)
    with TestClient(create_app(settings)) as client:
        yield client, seeded


@pytest.fixture
def journal_env(database_url, tmp_path):
    """The journal of the flagged-entries tests (entries JE-1 ... JE-5, their lines and scores) in a
    database of the test's own."""
    settings = make_settings(tmp_path / "var", database_url)
    engine = get_engine(database_url)
    path = tmp_path / "journal.csv"
    path.write_text("posting_date,amount,je_number\n2025-03-01,500,JE-1\n")
    data_file, _ = register_file(engine, path, received_via="cli", archive_dir=settings.archive_dir)
    with engine.begin() as connection:
        replace_transactions(
            connection, data_file.id, LINES, pd.DataFrame({"row_number": [], "raw_values": [], "reason": []})
        )
    job = jobs.create_job(engine, data_file.id, trigger="cli")
    saver = AnalyticsDBSaver(job, engine)
    models = {name: 0.5 for name in ("isolation_forest_score", "random_forest_score", "dbscan_score", "rule_score")}
    scores = LINES[["row_number", "transaction_id"]].assign(
        risk_score=LINE_RISK, **models, reasons="R", reason_text="r"
    )
    saver.save_ml_processing_result(ModelResult("ensemble"), "ensemble", scores=scores)
    saver.save_entry_scores(ENTRIES)
    saver.finalize_processing(True)
    with TestClient(create_app(settings)) as client:
        yield client, data_file.id
