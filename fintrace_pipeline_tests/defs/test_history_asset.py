"""The history_comparison asset through Dagster on real SQLite and PostgreSQL: each file compared with
the files of its source whose data comes before it, whatever the upload order; its share replaced when
it runs again; its findings read by the ML stage; backfills oldest data first."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, materialize
from sqlalchemy import func, select

from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    history_monthly,
    transaction_flags,
    transaction_scores,
)
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.generate.monthly import generate_monthly_files, write_monthly_file
from fintrace_pipeline.persistence.jobs import get_job
from fintrace_pipeline.runtime.backfill import select_files
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings


@pytest.fixture(scope="module")
def month_files(tmp_path_factory):
    generated = generate_monthly_files(lines_per_month=40, seed=2)
    folder = tmp_path_factory.mktemp("months")
    paths = {}
    for number in (5, 6, 7):
        paths[number] = folder / f"acme-2025-{number:02d}.csv"
        write_monthly_file(generated.files[number - 1], paths[number])
    return paths, generated.cases


def comparison_of(engine, job_id):
    with engine.connect() as connection:
        return connection.execute(
            select(analytics_processing_results).where(
                analytics_processing_results.c.processing_job_id == job_id,
                analytics_processing_results.c.analytics_type == "period_comparison",
            )
        ).one()


def flags_of(engine, job_id) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(transaction_flags.c.row_number, transaction_flags.c.rule_code).where(
                transaction_flags.c.processing_job_id == job_id,
                transaction_flags.c.analytics_type == "period_comparison",
            )
        ).all()
    return sorted((r.row_number, r.rule_code) for r in rows)


def test_files_compared_by_their_data_dates_not_their_upload_order(fintrace_env, engine, month_files):
    paths, cases = month_files
    settings = get_settings()
    instance = DagsterInstance.ephemeral()
    # July arrives first: nothing of the source comes before it yet.
    july = process_file(paths[7], settings, source="acme", instance=instance)
    first = comparison_of(engine, july.job_id)
    assert first.processing_status == "COMPLETED"
    assert first.error_message == "no earlier file of source 'acme' to compare with: this file starts its history"
    may = process_file(paths[5], settings, source="acme", instance=instance)
    june = process_file(paths[6], settings, source="acme", instance=instance)
    # June is compared with May only: July's data comes after it.
    june_result = comparison_of(engine, june.job_id)
    assert [f["file_name"] for f in june_result.risk_assessment["earlier_files"]] == ["acme-2025-05.csv"]
    assert [m["month"] for m in june_result.temporal_patterns["earlier_months"]] == ["2025-05"]

    # July again, as a backfill would run it now that May and June are stored.
    with engine.connect() as connection:
        shares_before = connection.execute(
            select(func.count()).select_from(history_monthly).where(history_monthly.c.data_file_id == july.data_file_id)
        ).scalar_one()
    run = instance.get_run_by_id(july.run_id)
    result = materialize(
        PER_FILE_ASSETS,
        selection=["history_comparison", "ml_ensemble"],
        partition_key=str(july.data_file_id),
        instance=instance,
        resources=fintrace_resources(settings),
        tags=dict(run.tags),
    )
    assert result.success
    metadata = result.asset_materializations_for_node("history_comparison")[0].metadata
    assert metadata["earlier_files"].value == 2
    assert metadata["source"].value == "acme"
    assert "acme-2025-05.csv" in metadata["cross_file_duplicates"].value
    duplicate = cases[cases["rule_code"] == "HIST_DUP_INVOICE"].iloc[0]
    assert (int(duplicate.row_number), "HIST_DUP_INVOICE") in flags_of(engine, july.job_id)
    again = comparison_of(engine, july.job_id)
    listed = again.risk_assessment["cross_file_duplicates"]
    invoice = [d for d in listed if d["rule_code"] == "HIST_DUP_INVOICE"]
    assert [(d["row_number"], d["earlier_file"], d["earlier_file_id"]) for d in invoice] == [
        (int(duplicate.row_number), "acme-2025-05.csv", str(may.data_file_id))
    ]
    # The share was replaced, not added a second time.
    with engine.connect() as connection:
        shares_after = connection.execute(
            select(func.count()).select_from(history_monthly).where(history_monthly.c.data_file_id == july.data_file_id)
        ).scalar_one()
        score = connection.execute(
            select(transaction_scores.c.reasons).where(
                transaction_scores.c.processing_job_id == july.job_id,
                transaction_scores.c.row_number == int(duplicate.row_number),
            )
        ).scalar_one()
    assert shares_after == shares_before
    # The ML stage read the comparison's findings like those of the other rule stages.
    assert "HIST_DUP_INVOICE" in score
    with engine.connect() as connection:
        assert get_job(connection, july.job_id).status == "COMPLETED"


def test_a_backfill_takes_each_sources_files_oldest_data_first(fintrace_env, engine, month_files):
    paths, _ = month_files
    settings = get_settings()
    instance = DagsterInstance.ephemeral()
    ids = {n: process_file(paths[n], settings, source="acme", instance=instance).data_file_id for n in (7, 5, 6)}
    order = select_files(engine, file_ids=[], since=None, everything=True)
    assert order == [str(ids[5]), str(ids[6]), str(ids[7])]
