"""stored model versions per source: what each risk model learned from and how well it ranks

One row per trained version of a source's risk model: when it was trained, the newest verdict it
knows, its training rows and positives, its cross-validated average precision and precision at k,
its feature importance and feature list, and where the fitted model is kept (a file under the
results' var/ folder, relative to it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "risk_models",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(), nullable=False),
        sa.Column("verdicts_until", sa.DateTime(), nullable=False),
        sa.Column("training_rows", sa.Integer(), nullable=False),
        sa.Column("positives", sa.Integer(), nullable=False),
        sa.Column("average_precision", sa.Float(), nullable=True),
        sa.Column("precision_at_k", sa.Float(), nullable=True),
        sa.Column("metrics", JSON, nullable=True),
        sa.Column("feature_importance", JSON, nullable=True),
        sa.Column("features", JSON, nullable=False),
        sa.Column("model_path", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_risk_models"),
    )
    op.create_index("uq_risk_models_source_version", "risk_models", ["source", "version"], unique=True)


def downgrade() -> None:
    op.drop_table("risk_models")
