"""Loading a step's inputs from the database: the file's canonical transactions and earlier findings."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from fintrace_pipeline.canonical import canonical_columns
from fintrace_pipeline.db.schema import transaction_flags
from fintrace_pipeline.db.transactions import load_transactions
from fintrace_pipeline.defs.step import StepContext, StepFailed
from fintrace_pipeline.findings import FLAG_COLUMNS
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.persistence.snapshots import read_snapshot


def load_file_transactions(step: StepContext) -> pd.DataFrame:
    with step.engine.connect() as connection:
        data_file = get_data_file(connection, step.data_file.id)
        if data_file.column_mapping is None:
            raise StepFailed(f"{data_file.file_name} has not been ingested yet: materialize 'ingest' first.")
        columns = canonical_columns(data_file.column_mapping)
        snapshot = read_snapshot(step.settings.shared_root, data_file.id, columns, data_file.rows_loaded or 0)
        if snapshot is not None:
            return snapshot
        return load_transactions(connection, data_file.id, columns)


def load_job_flags(step: StepContext, *, exclude_severities: tuple[str, ...] = ()) -> pd.DataFrame:
    """The per-transaction findings the rule stages stored for this job."""
    columns = [*FLAG_COLUMNS, "analytics_type"]
    query = select(*(transaction_flags.c[c] for c in columns)).where(
        transaction_flags.c.processing_job_id == step.job.id
    )
    if exclude_severities:
        query = query.where(transaction_flags.c.severity.not_in(exclude_severities))
    with step.engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=columns).astype({"row_number": "int64"})
