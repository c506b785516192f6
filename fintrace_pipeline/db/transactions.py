"""Storing and loading the canonical transaction frame (and the rows ingest rejected)."""

from __future__ import annotations

import json
import uuid

import pandas as pd
from sqlalchemy import Connection, delete

from fintrace_pipeline import canonical
from fintrace_pipeline.db import bulk
from fintrace_pipeline.db.schema import rejected_rows, transactions

# Canonical name -> column name in the database (``user`` is reserved in PostgreSQL).
_DB_NAME = {"user": "user_name"}
_FRAME_NAME = {v: k for k, v in _DB_NAME.items()}


def replace_transactions(
    connection: Connection, data_file_id: uuid.UUID, frame: pd.DataFrame, rejected: pd.DataFrame
) -> None:
    """Store a file's rows, replacing whatever an earlier ingest of the same file stored."""
    connection.execute(delete(transactions).where(transactions.c.data_file_id == data_file_id))
    connection.execute(delete(rejected_rows).where(rejected_rows.c.data_file_id == data_file_id))
    bulk.insert_frame(connection, transactions, frame.rename(columns=_DB_NAME).assign(data_file_id=data_file_id))
    bulk.insert_frame(connection, rejected_rows, rejected.assign(data_file_id=data_file_id))


def _ordered(columns: list[str]) -> list[str]:
    return ["row_number", *[c for c in canonical.ALL_COLUMNS if c in columns and c != "row_number"]]


def load_transactions(connection: Connection, data_file_id: uuid.UUID, columns: list[str]) -> pd.DataFrame:
    """The canonical frame of a file, with exactly ``columns`` (the canonical names ingest mapped)."""
    frame = bulk.read_frame(
        connection,
        transactions,
        transactions.c.data_file_id == data_file_id,
        [_DB_NAME.get(c, c) for c in _ordered(columns)],
        order_by="row_number",
    ).rename(columns=_FRAME_NAME)
    return to_canonical_dtypes(frame)


def as_loaded(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """What ``load_transactions`` returns for these rows once stored, built without the round trip."""
    return to_canonical_dtypes(frame.loc[:, _ordered(columns)].sort_values("row_number", ignore_index=True))


def to_canonical_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name in frame.columns:
        values = frame[name]
        if name == "row_number":
            out[name] = pd.to_numeric(values).astype("int64")
        elif name in canonical.DATE_COLUMNS:
            out[name] = pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
        elif name == "amount":
            out[name] = pd.to_numeric(values).astype("float64").round(2)
        elif name == "label":
            out[name] = pd.to_numeric(values).astype("Int64")
        else:
            out[name] = values.astype("string")
    return out


def load_rejected(connection: Connection, data_file_id: uuid.UUID) -> pd.DataFrame:
    frame = bulk.read_frame(
        connection,
        rejected_rows,
        rejected_rows.c.data_file_id == data_file_id,
        ["row_number", "raw_values", "reason"],
        order_by="row_number",
    )
    frame["row_number"] = pd.to_numeric(frame["row_number"]).astype("int64")
    frame["raw_values"] = frame["raw_values"].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    return frame
