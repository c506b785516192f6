"""change notifications for the API's caches (PostgreSQL only)

Every write to a row that a processing summary or a progress answer is built from sends
``pg_notify('fintrace_changes', '<data_file_id> <job_id>')`` (data files: '<data_file_id>'), delivered
when the writing transaction commits. The API listens and evicts exactly the affected cached answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHANNEL = "fintrace_changes"
# table -> the column holding its processing job id (None: the table is keyed by data file only)
TABLES = {
    "data_files": None,
    "file_processing_jobs": "id",
    "processing_job_trackers": "processing_job_id",
    "analytics_processing_results": "processing_job_id",
    "ml_model_processing_results": "processing_job_id",
}


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION fintrace_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
        BEGIN
            IF TG_NARGS = 0 THEN
                PERFORM pg_notify('{CHANNEL}', changed ->> 'id');
            ELSE
                PERFORM pg_notify('{CHANNEL}', (changed ->> 'data_file_id') || ' ' || (changed ->> TG_ARGV[0]));
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table, job_column in TABLES.items():
        argument = f"'{job_column}'" if job_column else ""
        op.execute(
            f"CREATE TRIGGER {table}_notify_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION fintrace_notify_change({argument})"
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_change ON {table}")
    op.execute("DROP FUNCTION IF EXISTS fintrace_notify_change()")
