"""reference lists: a source's vendor master and employee list, every version kept

``reference_lists`` holds one row per uploaded version of a list (source, kind, version, the file's
name and sha256, when it was uploaded and by whom, how its columns were read, its row counts);
``reference_entries`` its entries, each field beside its normalised form. The newest version of a
source's list is the one the checks use.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reference_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("column_mapping", JSON, nullable=False),
        sa.Column("notes", JSON, nullable=True),
        sa.CheckConstraint("kind IN ('vendor_master', 'employees')", name="ck_reference_lists_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_reference_lists"),
        sa.UniqueConstraint("source", "kind", "version", name="uq_reference_lists_source_kind_version"),
    )
    op.create_table(
        "reference_entries",
        sa.Column("reference_list_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_normalized", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("address_normalized", sa.Text(), nullable=True),
        sa.Column("bank_account", sa.Text(), nullable=True),
        sa.Column("bank_account_normalized", sa.Text(), nullable=True),
        sa.Column("tax_id", sa.Text(), nullable=True),
        sa.Column("tax_id_normalized", sa.Text(), nullable=True),
        sa.Column("added_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reference_list_id"],
            ["reference_lists.id"],
            name="fk_reference_entries_reference_list_id_reference_lists",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reference_list_id", "row_number", name="pk_reference_entries"),
    )


def downgrade() -> None:
    op.drop_table("reference_entries")
    op.drop_table("reference_lists")
