"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=True),
        sa.Column("compression", sa.String(length=10), nullable=True),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("delimiter", sa.String(length=4), nullable=True),
        sa.Column("sheet_name", sa.String(length=255), nullable=True),
        sa.Column("header_row", sa.Integer(), nullable=True),
        sa.Column("date_format", sa.String(length=20), nullable=True),
        sa.Column(
            "user_mapping",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "column_mapping",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "ingest_notes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("rows_read", sa.Integer(), nullable=True),
        sa.Column("rows_loaded", sa.Integer(), nullable=True),
        sa.Column("rows_rejected", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_data_files_sha256")),
    )
    with op.batch_alter_table("data_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_files_created_at"), ["created_at"], unique=False)

    op.create_table(
        "file_processing_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("dagster_run_id", sa.String(length=64), nullable=True),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_file_processing_jobs_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_processing_jobs")),
    )
    with op.batch_alter_table("file_processing_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_processing_jobs_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_processing_jobs_dagster_run_id"), ["dagster_run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_file_processing_jobs_data_file_id_created_at"),
            ["data_file_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_file_processing_jobs_status"), ["status"], unique=False)

    op.create_table(
        "rejected_rows",
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column(
            "raw_values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_rejected_rows_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("data_file_id", "row_number", name=op.f("pk_rejected_rows")),
    )
    op.create_table(
        "transactions",
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("posting_date", sa.DateTime(), nullable=False),
        sa.Column("entry_date", sa.DateTime(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=20, scale=2, asdecimal=False), nullable=False),
        sa.Column("transaction_id", sa.Text(), nullable=True),
        sa.Column("je_number", sa.Text(), nullable=True),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("account_name", sa.Text(), nullable=True),
        sa.Column("user_name", sa.Text(), nullable=True),
        sa.Column("approver", sa.Text(), nullable=True),
        sa.Column("vendor", sa.Text(), nullable=True),
        sa.Column("invoice_number", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cost_center", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("label", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_transactions_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("data_file_id", "row_number", name=op.f("pk_transactions")),
    )
    op.create_table(
        "analytics_processing_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("processing_job_id", sa.Uuid(), nullable=False),
        sa.Column("analytics_type", sa.String(length=50), nullable=False),
        sa.Column("processing_status", sa.String(length=20), nullable=False),
        sa.Column("total_transactions", sa.Integer(), nullable=True),
        sa.Column("total_amount", sa.Numeric(precision=20, scale=2, asdecimal=False), nullable=True),
        sa.Column("unique_users", sa.Integer(), nullable=True),
        sa.Column("unique_accounts", sa.Integer(), nullable=True),
        sa.Column("flagged_transactions", sa.Integer(), nullable=True),
        sa.Column("high_risk_transactions", sa.Integer(), nullable=True),
        sa.Column("anomalies_found", sa.Integer(), nullable=True),
        sa.Column("duplicates_found", sa.Integer(), nullable=True),
        sa.Column(
            "trial_balance_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "expense_breakdown",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "user_patterns",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "account_patterns",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "temporal_patterns",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "risk_assessment",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "chart_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "export_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "parameters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "skipped_checks",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("processing_duration", sa.Float(), nullable=True),
        sa.Column("analysis_version", sa.String(length=20), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_analytics_processing_results_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["processing_job_id"],
            ["file_processing_jobs.id"],
            name=op.f("fk_analytics_processing_results_processing_job_id_file_processing_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_processing_results")),
    )
    with op.batch_alter_table("analytics_processing_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_processing_results_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_analytics_processing_results_data_file_id_analytics_type"),
            ["data_file_id", "analytics_type"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_processing_results_processing_job_id_analytics_type"),
            ["processing_job_id", "analytics_type"],
            unique=True,
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_processing_results_processing_status"),
            ["processing_status"],
            unique=False,
        )

    op.create_table(
        "ml_model_processing_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("processing_job_id", sa.Uuid(), nullable=False),
        sa.Column("model_type", sa.String(length=50), nullable=False),
        sa.Column("processing_status", sa.String(length=20), nullable=False),
        sa.Column("anomalies_detected", sa.Integer(), nullable=True),
        sa.Column("duplicates_found", sa.Integer(), nullable=True),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.Column("confidence_score", sa.Float(), nullable=True),
        sa.Column(
            "detailed_results",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "model_metrics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "feature_importance",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("processing_duration", sa.Float(), nullable=True),
        sa.Column("data_size", sa.Integer(), nullable=True),
        sa.Column("model_version", sa.String(length=20), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_ml_model_processing_results_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["processing_job_id"],
            ["file_processing_jobs.id"],
            name=op.f("fk_ml_model_processing_results_processing_job_id_file_processing_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ml_model_processing_results")),
    )
    with op.batch_alter_table("ml_model_processing_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ml_model_processing_results_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ml_model_processing_results_data_file_id_model_type"),
            ["data_file_id", "model_type"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_ml_model_processing_results_processing_job_id_model_type"),
            ["processing_job_id", "model_type"],
            unique=True,
        )
        batch_op.create_index(
            batch_op.f("ix_ml_model_processing_results_processing_status"),
            ["processing_status"],
            unique=False,
        )

    op.create_table(
        "processing_job_trackers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("processing_job_id", sa.Uuid(), nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("total_steps", sa.Integer(), nullable=False),
        sa.Column("completed_steps", sa.Integer(), nullable=False),
        sa.Column("current_step", sa.String(length=100), nullable=True),
        sa.Column("file_processing_status", sa.String(length=20), nullable=False),
        sa.Column("analytics_status", sa.String(length=20), nullable=False),
        sa.Column("ml_processing_status", sa.String(length=20), nullable=False),
        sa.Column("anomaly_detection_status", sa.String(length=20), nullable=False),
        sa.Column("overall_progress", sa.Float(), nullable=False),
        sa.Column("file_processing_progress", sa.Float(), nullable=False),
        sa.Column("analytics_progress", sa.Float(), nullable=False),
        sa.Column("ml_progress", sa.Float(), nullable=False),
        sa.Column("anomaly_progress", sa.Float(), nullable=False),
        sa.Column(
            "step_details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "error_log",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("total_processing_time", sa.Float(), nullable=True),
        sa.Column("memory_usage_mb", sa.Float(), nullable=True),
        sa.Column("cpu_usage_percent", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_processing_job_trackers_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["processing_job_id"],
            ["file_processing_jobs.id"],
            name=op.f("fk_processing_job_trackers_processing_job_id_file_processing_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_job_trackers")),
    )
    with op.batch_alter_table("processing_job_trackers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processing_job_trackers_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_processing_job_trackers_data_file_id"), ["data_file_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_processing_job_trackers_processing_job_id"), ["processing_job_id"], unique=True
        )

    op.create_table(
        "transaction_flags",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("processing_job_id", sa.Uuid(), nullable=False),
        sa.Column("analytics_type", sa.String(length=50), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("rule_code", sa.String(length=50), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("group_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_transaction_flags_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["processing_job_id"],
            ["file_processing_jobs.id"],
            name=op.f("fk_transaction_flags_processing_job_id_file_processing_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transaction_flags")),
    )
    with op.batch_alter_table("transaction_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transaction_flags_processing_job_id_analytics_type"),
            ["processing_job_id", "analytics_type"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_transaction_flags_processing_job_id_row_number"),
            ["processing_job_id", "row_number"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_transaction_flags_processing_job_id_rule_code"),
            ["processing_job_id", "rule_code"],
            unique=False,
        )

    op.create_table(
        "transaction_scores",
        sa.Column("processing_job_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.Text(), nullable=True),
        sa.Column("risk_score", sa.Float(), nullable=False),
        sa.Column("isolation_forest_score", sa.Float(), nullable=True),
        sa.Column("random_forest_score", sa.Float(), nullable=True),
        sa.Column("dbscan_score", sa.Float(), nullable=True),
        sa.Column("rule_score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["data_file_id"],
            ["data_files.id"],
            name=op.f("fk_transaction_scores_data_file_id_data_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["processing_job_id"],
            ["file_processing_jobs.id"],
            name=op.f("fk_transaction_scores_processing_job_id_file_processing_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("processing_job_id", "row_number", name=op.f("pk_transaction_scores")),
    )
    with op.batch_alter_table("transaction_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transaction_scores_processing_job_id_risk_score"),
            ["processing_job_id", "risk_score"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("transaction_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transaction_scores_processing_job_id_risk_score"))

    op.drop_table("transaction_scores")
    with op.batch_alter_table("transaction_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transaction_flags_processing_job_id_rule_code"))
        batch_op.drop_index(batch_op.f("ix_transaction_flags_processing_job_id_row_number"))
        batch_op.drop_index(batch_op.f("ix_transaction_flags_processing_job_id_analytics_type"))

    op.drop_table("transaction_flags")
    with op.batch_alter_table("processing_job_trackers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processing_job_trackers_processing_job_id"))
        batch_op.drop_index(batch_op.f("ix_processing_job_trackers_data_file_id"))
        batch_op.drop_index(batch_op.f("ix_processing_job_trackers_created_at"))

    op.drop_table("processing_job_trackers")
    with op.batch_alter_table("ml_model_processing_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ml_model_processing_results_processing_status"))
        batch_op.drop_index(batch_op.f("ix_ml_model_processing_results_processing_job_id_model_type"))
        batch_op.drop_index(batch_op.f("ix_ml_model_processing_results_data_file_id_model_type"))
        batch_op.drop_index(batch_op.f("ix_ml_model_processing_results_created_at"))

    op.drop_table("ml_model_processing_results")
    with op.batch_alter_table("analytics_processing_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_processing_results_processing_status"))
        batch_op.drop_index(batch_op.f("ix_analytics_processing_results_processing_job_id_analytics_type"))
        batch_op.drop_index(batch_op.f("ix_analytics_processing_results_data_file_id_analytics_type"))
        batch_op.drop_index(batch_op.f("ix_analytics_processing_results_created_at"))

    op.drop_table("analytics_processing_results")
    op.drop_table("transactions")
    op.drop_table("rejected_rows")
    with op.batch_alter_table("file_processing_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_processing_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_file_processing_jobs_data_file_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_file_processing_jobs_dagster_run_id"))
        batch_op.drop_index(batch_op.f("ix_file_processing_jobs_created_at"))

    op.drop_table("file_processing_jobs")
    with op.batch_alter_table("data_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_files_created_at"))

    op.drop_table("data_files")
