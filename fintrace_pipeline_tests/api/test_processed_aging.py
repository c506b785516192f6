"""Aging on a generated ledger processed by the real pipeline: its invoice dates are stored and aged."""

import numpy as np
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import transactions
from fintrace_pipeline.generate import generate_ledger
from fintrace_pipeline_tests.api.conftest import ok, process_generated_ledger

ROWS = 300
SEED = 4


@pytest.fixture(scope="module")
def processed(module_database_url, tmp_path_factory):
    settings, outcome = process_generated_ledger(module_database_url, tmp_path_factory.mktemp("aging"), ROWS, SEED)
    with TestClient(create_app(settings)) as client:
        yield client, outcome, settings


def _expected_days() -> np.ndarray:
    """Days from invoice to posting of the generated lines that carry an invoice date, from the export."""
    ledger = generate_ledger(ROWS, seed=SEED).ledger
    dated = ledger["Invoice Date"].notna()
    return (ledger["Posting Date"][dated].dt.normalize() - ledger["Invoice Date"][dated]).dt.days.to_numpy()


def test_invoice_dates_are_stored(processed, module_database_url):
    _, outcome, _ = processed
    with get_engine(module_database_url).connect() as connection:
        stored = connection.scalar(
            select(func.count())
            .select_from(transactions)
            .where(transactions.c.data_file_id == outcome.data_file_id, transactions.c.document_date.is_not(None))
        )
    assert stored == len(_expected_days()) > 0


def test_aging_is_computed_from_the_invoice_dates(processed):
    client, outcome, _ = processed
    analytics = ok(client.get(f"/api/analytics-results/?file_id={outcome.data_file_id}"))["results"]
    default = next(r for r in analytics if r["analytics_type"] == "default_analytics")["detailed_results"]
    aged = default["temporal_patterns"]["aging"]
    days = _expected_days()
    assert aged["lines_aged"] == len(days)
    assert aged["lines_without_dates"] == ROWS - len(days)
    assert aged["median_days"] == float(np.median(days))
    late, early = days > aged["payment_terms_days"], days < 0
    assert late.any() and early.any()
    assert aged["late_payments"]["lines"] == int(late.sum())
    assert aged["before_document_date"]["lines"] == int(early.sum())
    assert aged["bands"][0]["lines"] == int(early.sum())
    assert sum(b["lines"] for b in aged["bands"]) == len(days)
