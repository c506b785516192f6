import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.schema import metadata

SEED_COLUMNS = {
    "ml_model_processing_results": """id data_file_id processing_job_id model_type processing_status
        anomalies_detected duplicates_found risk_score confidence_score detailed_results model_metrics
        feature_importance processing_duration data_size model_version error_message created_at updated_at
        processed_at""",
    "analytics_processing_results": """id data_file_id processing_job_id analytics_type processing_status
        total_transactions total_amount unique_users unique_accounts flagged_transactions
        high_risk_transactions anomalies_found duplicates_found trial_balance_data expense_breakdown
        user_patterns account_patterns temporal_patterns risk_assessment chart_data export_data
        processing_duration analysis_version error_message created_at updated_at processed_at""",
    "processing_job_trackers": """id processing_job_id data_file_id total_steps completed_steps current_step
        file_processing_status analytics_status ml_processing_status anomaly_detection_status
        overall_progress file_processing_progress analytics_progress ml_progress anomaly_progress
        step_details error_log total_processing_time memory_usage_mb cpu_usage_percent created_at
        updated_at started_at completed_at""",
}


def test_migrations_create_exactly_the_schema_the_code_uses(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    assert diff == []
    assert migrate.is_up_to_date(engine)


def test_seed_tables_have_every_seed_column(engine):
    inspector = inspect(engine)
    for table, columns in SEED_COLUMNS.items():
        present = {c["name"] for c in inspector.get_columns(table)}
        assert set(columns.split()) <= present, table


def test_postgres_uses_jsonb_and_uuid(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL types")
    columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("analytics_processing_results")}
    assert type(columns["trial_balance_data"]).__name__ == "JSONB"
    assert type(columns["id"]).__name__ == "UUID"
    assert (columns["total_amount"].precision, columns["total_amount"].scale) == (20, 2)


def test_downgrade_removes_and_upgrade_restores(engine):
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert "transactions" in inspect(engine).get_table_names()


def test_upgrade_is_idempotent(engine):
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
