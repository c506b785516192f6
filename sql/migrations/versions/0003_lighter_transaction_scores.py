"""transaction_scores: one per-row check and one index

Storing a million scores spent half its time on the index over (processing_job_id, risk_score),
which no query reads (lists join on the primary key; the export sorts once), and on a second per-row
foreign-key check of data_file_id, which the job's own foreign key already implies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transaction_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transaction_scores_processing_job_id_risk_score"))
        batch_op.drop_constraint(batch_op.f("fk_transaction_scores_data_file_id_data_files"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("transaction_scores", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_transaction_scores_data_file_id_data_files"),
            "data_files",
            ["data_file_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_transaction_scores_processing_job_id_risk_score"),
            ["processing_job_id", "risk_score"],
            unique=False,
        )
