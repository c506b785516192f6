"""journal-entry risk scores, and each file's country and analysis options

A general-ledger export is reviewed entry by entry: ``entry_scores`` keeps one risk score and its
reasons per journal entry of a job. ``data_files.country`` names the calendar (public holidays,
weekend) a file is judged by; ``data_files.analysis_options`` the per-file overrides of the
configured thresholds (approval limits, materiality, business hours).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite has it for adding and dropping columns): a batch copy of data_files
    # would break the triggers of migration 0003 that name it.
    op.add_column("data_files", sa.Column("country", sa.String(10), nullable=True))
    op.add_column("data_files", sa.Column("analysis_options", JSON, nullable=True))
    op.create_table(
        "entry_scores",
        sa.Column("processing_job_id", sa.Uuid(), nullable=False),
        sa.Column("je_number", sa.Text(), nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("first_row_number", sa.Integer(), nullable=False),
        sa.Column("posting_date", sa.DateTime(), nullable=True),
        sa.Column("debit_total", sa.Float(), nullable=False),
        sa.Column("credit_total", sa.Float(), nullable=False),
        sa.Column("risk_score", sa.Float(), nullable=False),
        sa.Column("rule_codes", sa.Text(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["data_file_id"], ["data_files.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["processing_job_id"], ["file_processing_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("processing_job_id", "je_number"),
    )
    op.create_index("ix_entry_scores_risk", "entry_scores", ["processing_job_id", "risk_score"])


def downgrade() -> None:
    op.drop_index("ix_entry_scores_risk", table_name="entry_scores")
    op.drop_table("entry_scores")
    op.drop_column("data_files", "analysis_options")
    op.drop_column("data_files", "country")
