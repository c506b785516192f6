"""verdicts: an index by source and verdict, so a learner finds a source's confirmed targets at once

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_verdicts_source_verdict", "verdicts", ["source", "verdict", "data_file_id", "row_number"])


def downgrade() -> None:
    op.drop_index("ix_verdicts_source_verdict", table_name="verdicts")
