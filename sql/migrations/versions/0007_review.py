"""the review workflow: sources, users, an append-only audit log and verdicts

``data_files.source`` held the channel a file arrived by; that column becomes ``received_via`` and
``source`` now names the company, ledger or card programme the file belongs to (``default`` for
every file so far). ``users`` hold each API user's role and the keyed hash of their token.
``audit_log`` rows are never changed or removed: triggers refuse UPDATE and DELETE on both
databases. ``verdicts`` keep every verdict recorded on a transaction (by row number) or an entry
(by journal-entry number), indexed for a file's newest verdict per target and for a source's
verdicts up to a time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
AUDIT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "audit_log is append-only: its rows are never updated or deleted"


def _append_only_triggers(postgres: bool) -> list[str]:
    if postgres:
        return [
            f"""
            CREATE FUNCTION fintrace_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
            END $$
            """,
            """CREATE TRIGGER fintrace_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
               FOR EACH ROW EXECUTE FUNCTION fintrace_audit_log_append_only()""",
            """CREATE TRIGGER fintrace_audit_log_no_truncate BEFORE TRUNCATE ON audit_log
               FOR EACH STATEMENT EXECUTE FUNCTION fintrace_audit_log_append_only()""",
        ]
    return [
        f"CREATE TRIGGER fintrace_audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        for event in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    # Plain ALTER TABLE on both databases: a batch copy of data_files would break migration 0003's
    # triggers that name it.
    op.execute("ALTER TABLE data_files RENAME COLUMN source TO received_via")
    op.add_column("data_files", sa.Column("source", sa.String(40), server_default="default", nullable=False))
    op.create_index("ix_data_files_source_created_at", "data_files", ["source", "created_at"])

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('viewer', 'reviewer', 'admin')", name="ck_users_role"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.UniqueConstraint("token_hash", name="uq_users_token_hash"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", AUDIT_ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("target_id", sa.Text(), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])
    for statement in _append_only_triggers(postgres):
        op.execute(statement)

    op.create_table(
        "verdicts",
        sa.Column("id", AUDIT_ID, autoincrement=True, nullable=False),
        sa.Column("data_file_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("je_number", sa.Text(), nullable=True),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("(row_number IS NULL) <> (je_number IS NULL)", name="ck_verdicts_one_target"),
        sa.CheckConstraint("verdict IN ('confirmed', 'cleared', 'follow_up')", name="ck_verdicts_verdict"),
        sa.ForeignKeyConstraint(
            ["data_file_id"], ["data_files.id"], name="fk_verdicts_data_file_id_data_files", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_verdicts"),
    )
    op.create_index("ix_verdicts_target", "verdicts", ["data_file_id", "row_number", "je_number", "id"])
    op.create_index("ix_verdicts_source_recorded_at", "verdicts", ["source", "recorded_at"])


def downgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    op.drop_table("verdicts")
    op.drop_table("audit_log")  # its triggers go with it
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS fintrace_audit_log_append_only()")
    op.drop_table("users")
    op.drop_index("ix_data_files_source_created_at", table_name="data_files")
    op.drop_column("data_files", "source")
    op.execute("ALTER TABLE data_files RENAME COLUMN received_via TO source")
