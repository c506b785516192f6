"""Loading a step's inputs from the database: the file's canonical transactions and earlier findings."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_

from fintrace_pipeline.canonical import canonical_columns
from fintrace_pipeline.db import bulk
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
    f = transaction_flags
    columns = [*FLAG_COLUMNS, "analytics_type"]
    where = f.c.processing_job_id == step.job.id
    if exclude_severities:
        where = and_(where, f.c.severity.not_in(exclude_severities))
    with step.engine.connect() as connection:
        # Column by column from the driver's values (COPY on PostgreSQL): a file with millions of
        # findings would otherwise hold one Python row object per finding at once.
        frame = bulk.read_frame(connection, f, where, columns, order_by="row_number")
    frame["row_number"] = pd.to_numeric(frame["row_number"]).astype("int64")
    # ``details`` stays JSON text, parsed where read: a million parsed dicts weigh half a gigabyte.
    for column in ("rule_code", "severity", "reason", "details", "group_id", "analytics_type"):
        frame[column] = frame[column].astype("string")
    return frame
