"""The lines `fintrace up` prints: each run once as it starts and ends, a failure with its message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dagster import Failure, asset, instance_for_test, materialize

from fintrace_pipeline.runtime.run_feed import RunFeed


@asset
def fine():
    return 1


@asset
def broken():
    raise Failure("ledger.csv: no column holds amounts; found Date, Text, Value")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_run_is_shown_once_when_it_ends_and_a_failure_says_why(engine):
    with instance_for_test() as instance:
        feed = RunFeed(instance, engine, since=datetime.now(UTC) - timedelta(minutes=1))
        assert feed.lines() == []
        materialize([fine], instance=instance)
        materialize([broken], instance=instance, raise_on_error=False)
        lines = feed.lines()
        assert len(lines) == 2, lines
        assert "  finished  __ephemeral_asset_job__  in " in lines[0]
        assert "  FAILED  __ephemeral_asset_job__  in " in lines[1]
        assert lines[1].endswith(": ledger.csv: no column holds amounts; found Date, Text, Value")
        assert feed.lines() == []  # nothing twice
