"""Alembic environment: runs migrations on the connection handed over by fintrace_pipeline.db.migrate."""

from alembic import context

from fintrace_pipeline.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
