"""an index for "highest risk first" over the top decile of each job's scores

Risk scores are percentiles of their file, so ``risk_score >= 90`` holds the top tenth of every
job's rows, and with it every row the ensemble calls high risk (at most the top 5 %). A partial index
on that tenth answers highest-risk-first questions without the cost a full index over a million
scores adds to every store.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TOP_RISK_INDEX = "ix_transaction_scores_top_risk"
TOP_RISK_FLOOR = 90  # fintrace_pipeline.db.schema.TOP_RISK_FLOOR at the time of this revision


def upgrade() -> None:
    predicate = sa.text(f"risk_score >= {TOP_RISK_FLOOR}")
    op.create_index(
        TOP_RISK_INDEX,
        "transaction_scores",
        ["processing_job_id", "risk_score"],
        postgresql_where=predicate,
        sqlite_where=predicate,
    )


def downgrade() -> None:
    op.drop_index(TOP_RISK_INDEX, table_name="transaction_scores")
