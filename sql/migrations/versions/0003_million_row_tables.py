"""the two million-row tables: integrity checked once per statement, no unused index

Storing a million rows into ``transactions`` or ``transaction_scores`` spent half its time on
foreign-key checks, which PostgreSQL makes row by row, and on an index over transaction_scores
(processing_job_id, risk_score) that no query reads (lists join on the primary key; the export sorts
once). The index goes, and so does the foreign key of transaction_scores.data_file_id, which its job
already implies. Triggers replace the other two foreign keys with the same guarantees once per
statement: an inserted row's parent must exist (and is locked against deletion until the insert
commits, as a foreign key does), and deleting a parent deletes its rows. SQLite gets per-row
triggers, which cost there what its foreign keys did.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCORES_RISK_INDEX = "ix_transaction_scores_processing_job_id_risk_score"
SCORES_FILE_FK = "fk_transaction_scores_data_file_id_data_files"
# child table -> (its column, the parent table, the foreign key the triggers replace)
LINKS = {
    "transactions": ("data_file_id", "data_files", "fk_transactions_data_file_id_data_files"),
    "transaction_scores": (
        "processing_job_id",
        "file_processing_jobs",
        "fk_transaction_scores_processing_job_id_file_processing_jobs",
    ),
}


def _trigger_names(child: str, parent: str) -> tuple[str, str]:
    """(the check on the child's inserts and updates, the cascade on the parent's deletes)"""
    return f"fintrace_{child}_parent_exists", f"fintrace_{parent}_delete_{child}"


def _postgres_triggers(child: str, column: str, parent: str) -> list[str]:
    check, cascade = _trigger_names(child, parent)
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
    check, cascade = _trigger_names(child, parent)
    exists = f"NOT EXISTS (SELECT 1 FROM {parent} WHERE id = NEW.{column})"
    fail = f"SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {child}.{column} is not in {parent}')"
    return [
        f"CREATE TRIGGER {check}_insert BEFORE INSERT ON {child} WHEN {exists} BEGIN {fail}; END",
        f"CREATE TRIGGER {check}_update BEFORE UPDATE OF {column} ON {child} WHEN {exists} BEGIN {fail}; END",
        f"CREATE TRIGGER {cascade} AFTER DELETE ON {parent} BEGIN DELETE FROM {child} WHERE {column} = OLD.id; END",
    ]


def upgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    with op.batch_alter_table("transaction_scores", schema=None) as batch_op:
        batch_op.drop_index(SCORES_RISK_INDEX)
        batch_op.drop_constraint(SCORES_FILE_FK, type_="foreignkey")
    for child, (column, parent, foreign_key) in LINKS.items():
        with op.batch_alter_table(child, schema=None) as batch_op:
            batch_op.drop_constraint(foreign_key, type_="foreignkey")
        for statement in (_postgres_triggers if postgres else _sqlite_triggers)(child, column, parent):
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"
    for child, (column, parent, foreign_key) in LINKS.items():
        check, cascade = _trigger_names(child, parent)
        op.execute(f"DROP TRIGGER IF EXISTS {cascade}" + (f" ON {parent}" if postgres else ""))
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {check}_{event}" + (f" ON {child}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {check}()")
            op.execute(f"DROP FUNCTION IF EXISTS {cascade}()")
        with op.batch_alter_table(child, schema=None) as batch_op:
            batch_op.create_foreign_key(foreign_key, parent, [column], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("transaction_scores", schema=None) as batch_op:
        batch_op.create_foreign_key(SCORES_FILE_FK, "data_files", ["data_file_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index(SCORES_RISK_INDEX, ["processing_job_id", "risk_score"], unique=False)
