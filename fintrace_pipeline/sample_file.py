"""The MUS sample of a stored file: its canonical transactions read from the database, then sampled."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection

from fintrace_pipeline.analytics.sampling import SHOWN_COLUMNS, SamplingOptions, mus_sample
from fintrace_pipeline.canonical import canonical_columns
from fintrace_pipeline.db.transactions import load_transactions
from fintrace_pipeline.persistence.files import get_data_file


class NoSuchFile(LookupError):
    """No data file has the id, or it has not been ingested."""


def sample_of_file(connection: Connection, data_file_id: uuid.UUID, options: SamplingOptions) -> dict[str, Any]:
    data_file = get_data_file(connection, data_file_id)
    if data_file is None:
        raise NoSuchFile(f"no data file {data_file_id}")
    if data_file.column_mapping is None:
        raise NoSuchFile(f"{data_file.file_name} has not been ingested yet: nothing to sample")
    # Only what the selection reads and shows: a workpaper of a million lines samples in seconds.
    wanted = {"row_number", "amount", *SHOWN_COLUMNS}
    columns = [c for c in canonical_columns(data_file.column_mapping) if c in wanted]
    sample = mus_sample(load_transactions(connection, data_file_id, columns), options)
    return {"data_file_id": str(data_file_id), "file_name": data_file.file_name, "sha256": data_file.sha256, **sample}
