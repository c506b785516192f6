"""history across files: each file's share of its source's history

``history_files`` holds each processed file's data period, ``history_monthly`` its lines and gross
amount per vendor, user, account, user–account and vendor–account pair and month, and
``history_documents`` the index of its vendor lines by vendor and invoice and by vendor and amount,
for finding a document already booked in an earlier file.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=20, scale=2)


def _file_fk() -> sa.Column:
    return sa.Column("data_file_id", sa.Uuid(), nullable=False)


def _file_constraints(table: str) -> list:
    return [
        sa.ForeignKeyConstraint(
            ["data_file_id"], ["data_files.id"], name=f"fk_{table}_data_file_id_data_files", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "history_files",
        _file_fk(),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        *_file_constraints("history_files"),
        sa.PrimaryKeyConstraint("data_file_id", name="pk_history_files"),
    )
    op.create_index("ix_history_files_source_period_start", "history_files", ["source", "period_start"])
    op.create_table(
        "history_monthly",
        _file_fk(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("first_date", sa.DateTime(), nullable=False),
        sa.Column("last_date", sa.DateTime(), nullable=False),
        *_file_constraints("history_monthly"),
        sa.PrimaryKeyConstraint("data_file_id", "kind", "key", "month", name="pk_history_monthly"),
    )
    op.create_index("ix_history_monthly_source_kind_key", "history_monthly", ["source", "kind", "key"])
    op.create_table(
        "history_documents",
        _file_fk(),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("match_key", sa.Text(), nullable=False),
        sa.Column("posting_date", sa.DateTime(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("invoice", sa.Text(), nullable=True),
        *_file_constraints("history_documents"),
        sa.PrimaryKeyConstraint("data_file_id", "kind", "row_number", name="pk_history_documents"),
    )
    op.create_index("ix_history_documents_source_kind_match_key", "history_documents", ["source", "kind", "match_key"])


def downgrade() -> None:
    op.drop_index("ix_history_documents_source_kind_match_key", table_name="history_documents")
    op.drop_table("history_documents")
    op.drop_index("ix_history_monthly_source_kind_key", table_name="history_monthly")
    op.drop_table("history_monthly")
    op.drop_index("ix_history_files_source_period_start", table_name="history_files")
    op.drop_table("history_files")
