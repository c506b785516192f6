"""A real failed run of the per-file job, for the run-status sensors' tests."""

from __future__ import annotations

import pytest
from dagster import DagsterEventType, DagsterInstance

from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings


@pytest.fixture
def failed_run(fintrace_env, tmp_path):
    """A real run of the per-file job that failed in ingest: (instance, run, failure event, the job as summarized)."""
    broken = tmp_path / "broken-ledger.csv"
    broken.write_bytes(b"\x00\x01\x02 not a ledger \xff" * 200)
    instance = DagsterInstance.ephemeral()
    outcome = process_file(broken, get_settings(), instance=instance)
    assert outcome.summary["job"]["status"] == "FAILED"
    run = instance.get_run_by_id(outcome.run_id)
    (record,) = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.RUN_FAILURE).records
    return instance, run, record.event_log_entry.dagster_event, outcome.summary["job"]
