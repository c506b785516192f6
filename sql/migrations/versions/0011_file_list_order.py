"""the file list's order as indexes: newest first, ties broken by id

The listing pages through ``data_files`` newest first with ``id`` as the tie-breaker, overall and
per source. Indexes over (created_at, id) and (source, created_at, id) give a page at any offset
from an index walk alone; they supersede the indexes over (created_at) and (source, created_at).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_data_files_created_at_id", "data_files", ["created_at", "id"])
    op.create_index("ix_data_files_source_created_at_id", "data_files", ["source", "created_at", "id"])
    op.drop_index("ix_data_files_created_at", table_name="data_files")
    op.drop_index("ix_data_files_source_created_at", table_name="data_files")


def downgrade() -> None:
    op.create_index("ix_data_files_source_created_at", "data_files", ["source", "created_at"])
    op.create_index("ix_data_files_created_at", "data_files", ["created_at"])
    op.drop_index("ix_data_files_source_created_at_id", table_name="data_files")
    op.drop_index("ix_data_files_created_at_id", table_name="data_files")
