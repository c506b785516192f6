"""how each column of a file was mapped, what ingest warns about, and why rows were rejected

``mapping_details`` holds, per canonical column, the source column, its confidence, how it was
decided (user, header or content) and a close runner-up; ``unmapped_columns`` the source columns
nothing reads; ``ingest_warnings`` what a person should check (close choices, placeholder dates);
``rejection_reasons`` the rejected rows counted per reason (kept even when every row was rejected).

Columns are added in place (``ALTER TABLE ... ADD/DROP COLUMN``), never by copying the table, so the
triggers on ``data_files`` stay as they are on both SQLite and PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("mapping_details", "unmapped_columns", "ingest_warnings", "rejection_reasons")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column(
            "data_files",
            sa.Column(
                name, sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
            ),
        )


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("data_files", name)
