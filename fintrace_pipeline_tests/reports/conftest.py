import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline_tests.api.conftest import module_database_url, process_generated_ledger  # noqa: F401

ROWS = 1_500
SEED = 8


@pytest.fixture(scope="module")
def processed(module_database_url, tmp_path_factory):  # noqa: F811
    """A generated ledger really processed, once per database: (settings, outcome)."""
    return process_generated_ledger(module_database_url, tmp_path_factory.mktemp("report"), ROWS, SEED)


@pytest.fixture(scope="module")
def client(processed):
    with TestClient(create_app(processed[0])) as test_client:
        yield test_client
