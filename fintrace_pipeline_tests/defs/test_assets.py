"""The per-file assets and the code location, materialized through Dagster on real SQLite and PostgreSQL."""



from dagster import DagsterInstance, materialize
from sqlalchemy import func, select

from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    file_processing_jobs,
    ml_model_processing_results,
)
from fintrace_pipeline.definitions import defs
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.defs.partitions import data_file_partitions, source_partitions
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline.stages import ANALYSIS_STAGES, MODEL_TYPES


def test_definitions_load_with_the_per_file_assets_the_risk_model_jobs_and_sensors():
    repo = defs().get_repository_def()
    assert {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()} == {
        "ingest",
        "default_analytics",
        "comprehensive_expense",
        "duplicate_analysis",
        "anomaly_detection",
        "history_comparison",
        "reference_checks",
        "ml_ensemble",
        "risk_model",
    }
    assert repo.get_job("process_file").partitions_def == data_file_partitions
    assert repo.get_job("train_risk_model").partitions_def == source_partitions
    assert {s.name for s in repo.sensor_defs} >= {
        "job_completed_sensor",
        "job_failed_sensor",
        "job_canceled_sensor",
        "verdicts_sensor",
    }


def test_rematerializing_a_step_replaces_its_results(fintrace_env, engine, ledger_file):
    instance = DagsterInstance.ephemeral()
    outcome = process_file(ledger_file, get_settings(), instance=instance)
    run = instance.get_run_by_id(outcome.run_id)
    # Re-execute the anomaly step under the same job, as a retry would.
    result = materialize(
        PER_FILE_ASSETS,
        selection=["anomaly_detection"],
        partition_key=str(outcome.data_file_id),
        instance=instance,
        resources=fintrace_resources(get_settings()),
        tags=dict(run.tags),
    )
    assert result.success
    with engine.connect() as connection:
        rows = connection.execute(
            select(func.count())
            .select_from(analytics_processing_results)
            .where(analytics_processing_results.c.processing_job_id == outcome.job_id)
        ).scalar_one()
        models = connection.execute(select(func.count()).select_from(ml_model_processing_results)).scalar_one()
    assert rows == len(ANALYSIS_STAGES) and models == len(MODEL_TYPES)


def test_the_last_step_to_finish_closes_the_job_without_waiting_for_a_sensor(fintrace_env, engine, ledger_file):
    """Runs launched from the Dagster UI (no job tag, no run-status sensor in an ephemeral instance)."""
    instance = DagsterInstance.ephemeral()
    data_file, _ = register_file(engine, ledger_file, received_via="test", archive_dir=get_settings().archive_dir)
    partition = str(data_file.id)
    instance.add_dynamic_partitions(data_file_partitions.name, [partition])
    resources = fintrace_resources(get_settings())

    def job_of(run_id: str):
        with engine.connect() as connection:
            return connection.execute(
                select(file_processing_jobs).where(file_processing_jobs.c.dagster_run_id == run_id)
            ).one()

    partial = materialize(
        PER_FILE_ASSETS, selection=["ingest"], partition_key=partition, instance=instance, resources=resources
    )
    # Only one of seven steps ran: closing that job is left to the run-status sensor.
    assert job_of(partial.run_id).status == "RUNNING"

    full = materialize(PER_FILE_ASSETS, partition_key=partition, instance=instance, resources=resources)
    job = job_of(full.run_id)
    assert (job.status, job.error_message) == ("COMPLETED", None)
    assert job.completed_at is not None
