"""transactions.document_date: the invoice or document date of a line, beside its posting date

Nullable: most files carry no such column. The aging summary reads it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: rebuilding the table would drop its triggers (0003).
    op.add_column("transactions", sa.Column("document_date", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("transactions", "document_date")
