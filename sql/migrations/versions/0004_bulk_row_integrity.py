"""integrity of the two million-row tables checked once per statement

``transactions.data_file_id`` and ``transaction_scores.processing_job_id`` were foreign keys, which
PostgreSQL checks row by row: half the cost of storing a million rows. Triggers now give the same
guarantees once per statement: an inserted row's parent must exist (and is locked against deletion
until the insert commits, as a foreign key does), and deleting a parent deletes its rows.
SQLite keeps per-row triggers, which cost there what its foreign keys did.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# child table -> (its column, the parent table, the foreign key it had)
LINKS = {
    "transactions": ("data_file_id", "data_files", "fk_transactions_data_file_id_data_files"),
    "transaction_scores": (
        "processing_job_id",
        "file_processing_jobs",
        "fk_transaction_scores_processing_job_id_file_processing_jobs",
    ),
}


def _postgres_triggers(child: str, column: str, parent: str) -> list[str]:
    check, cascade = f"fintrace_{child}_parent_exists", f"fintrace_{parent}_delete_{child}"
    statements = [
        f"""
        CREATE FUNCTION {check}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            missing uuid;
        BEGIN
            PERFORM 1 FROM {parent} WHERE id IN (SELECT DISTINCT {column} FROM new_rows) FOR KEY SHARE;
            SELECT n.{column} INTO missing FROM (SELECT DISTINCT {column} FROM new_rows) n
            WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = n.{column}) LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION '{child}.{column} % is not in {parent}', missing
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE FUNCTION {cascade}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {child} WHERE {column} IN (SELECT id FROM old_rows);
            RETURN NULL;
        END $$
        """,
        f"""CREATE TRIGGER {cascade} AFTER DELETE ON {parent}
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {cascade}()""",
    ]
    # A trigger with a transition table takes one event, so inserts and updates get one each.
    for event in ("INSERT", "UPDATE"):
        statements.append(
            f"""CREATE TRIGGER {check}_{event.lower()} AFTER {event} ON {child}
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {check}()"""
        )
    return statements


def _sqlite_triggers(child: str, column: str, parent: str) -> list[str]:
    check, cascade = f"fintrace_{child}_parent_exists", f"fintrace_{parent}_delete_{child}"
    exists = f"NOT EXISTS (SELECT 1 FROM {parent} WHERE id = NEW.{column})"
    fail = f"SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {child}.{column} is not in {parent}')"
    return [
        f"CREATE TRIGGER {check}_insert BEFORE INSERT ON {child} WHEN {exists} BEGIN {fail}; END",
        f"CREATE TRIGGER {check}_update BEFORE UPDATE OF {column} ON {child} WHEN {exists} BEGIN {fail}; END",
        f"CREATE TRIGGER {cascade} AFTER DELETE ON {parent} BEGIN DELETE FROM {child} WHERE {column} = OLD.id; END",
    ]


def upgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    for child, (column, parent, foreign_key) in LINKS.items():
        with op.batch_alter_table(child, schema=None) as batch_op:
            batch_op.drop_constraint(foreign_key, type_="foreignkey")
        for statement in (_postgres_triggers if postgres else _sqlite_triggers)(child, column, parent):
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    for child, (column, parent, foreign_key) in LINKS.items():
        check, cascade = f"fintrace_{child}_parent_exists", f"fintrace_{parent}_delete_{child}"
        op.execute(f"DROP TRIGGER IF EXISTS {cascade}" + (f" ON {parent}" if postgres else ""))
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {check}_{event}" + (f" ON {child}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {check}()")
            op.execute(f"DROP FUNCTION IF EXISTS {cascade}()")
        with op.batch_alter_table(child, schema=None) as batch_op:
            batch_op.create_foreign_key(foreign_key, parent, [column], ["id"], ondelete="CASCADE")
