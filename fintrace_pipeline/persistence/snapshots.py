"""A file's canonical transactions as a Parquet snapshot beside the database.

Every later step needs the whole canonical frame; the database returns a million rows in several
seconds, a Parquet file in a fraction of one. The database stays the record: ingest removes the
snapshot before it replaces the rows and writes it only after they are committed, a snapshot is used
only when its columns and row count match the file's stored facts, and without one a step reads the
database as before.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq


def snapshot_path(var_dir: Path, data_file_id: uuid.UUID) -> Path:
    return var_dir / "snapshots" / f"{data_file_id}.parquet"


def remove_snapshot(var_dir: Path, data_file_id: uuid.UUID) -> None:
    snapshot_path(var_dir, data_file_id).unlink(missing_ok=True)


def write_snapshot(var_dir: Path, data_file_id: uuid.UUID, frame: pd.DataFrame) -> None:
    path = snapshot_path(var_dir, data_file_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    frame.to_parquet(partial, index=False)
    partial.replace(path)  # readers see the whole snapshot or none


def read_snapshot(var_dir: Path, data_file_id: uuid.UUID, columns: list[str], rows: int) -> pd.DataFrame | None:
    """The snapshot if it holds exactly ``columns`` and ``rows`` rows; None otherwise."""
    path = snapshot_path(var_dir, data_file_id)
    metadata = _metadata_of(path, rows)
    if metadata is None or sorted(metadata.schema.names) != sorted(columns):
        return None
    return pd.read_parquet(path)


def _metadata_of(path: Path, rows: int) -> pq.FileMetaData | None:
    """The snapshot's Parquet metadata if it holds ``rows`` rows; None if it is missing, not Parquet
    (ArrowInvalid is a ValueError) or of another row count."""
    try:
        metadata = pq.read_metadata(path)
    except (OSError, ValueError):
        return None
    return metadata if metadata.num_rows == rows else None


def read_snapshot_rows(
    var_dir: Path,
    data_file_id: uuid.UUID,
    rows: int,
    columns: list[str],
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame | None:
    """``columns`` of the snapshot's rows posted within [since, until] (a column the file lacks as
    missing values); None when there is no snapshot of ``rows`` rows."""
    path = snapshot_path(var_dir, data_file_id)
    metadata = _metadata_of(path, rows)
    if metadata is None:
        return None
    bounds = [("posting_date", op, pd.Timestamp(at)) for op, at in ((">=", since), ("<=", until)) if at is not None]
    present = [c for c in columns if c in metadata.schema.names]
    frame = pq.read_table(path, columns=present, filters=bounds or None).to_pandas()
    return frame.reindex(columns=columns)
