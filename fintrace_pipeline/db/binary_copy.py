"""Rows in PostgreSQL's binary COPY format, built column by column with numpy.

Parsing text is most of what a CSV COPY costs the server; binary rows skip it. Only the column types
of the score table are encoded (uuid, integers, floats, text); ``encodable`` tells whether a table's
columns all are, and the others keep to CSV.
"""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import BigInteger, Float, Integer, String, Table, Text, Uuid

HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length
TRAILER = b"\xff\xff"
NULL = -1

_FIXED = ((BigInteger, ">i8"), (Integer, ">i4"), (Float, ">f8"))


def encodable(table: Table, columns: list[str]) -> bool:
    return all(_kind(table.c[name].type) is not None for name in columns)


def _kind(column_type) -> str | None:
    if isinstance(column_type, Uuid):
        return "uuid"
    for sql_type, dtype in _FIXED:
        if isinstance(column_type, sql_type):
            return dtype
    if isinstance(column_type, (Text, String)):
        return "text"
    return None


class _Field:
    """One column of the rows: each row's value length (NULL = -1) and the bytes to place."""

    def __init__(self, lengths: np.ndarray, data: np.ndarray, offsets: np.ndarray | None):
        self.lengths = lengths.astype(np.int64)
        self.data = data  # fixed width: (rows, width) bytes; text: all values' bytes, back to back
        self.offsets = offsets  # text only: where each row's bytes start in ``data``


def _fixed_field(values: pd.Series, dtype: str) -> _Field:
    width = np.dtype(dtype).itemsize
    missing = values.isna().to_numpy()
    numbers = values.to_numpy(dtype=np.float64 if dtype == ">f8" else np.int64, na_value=0)
    data = numbers.astype(dtype).view(np.uint8).reshape(-1, width)
    return _Field(np.where(missing, NULL, width), data, None)


def _uuid_field(values: pd.Series) -> _Field:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([list(u.bytes if isinstance(u, uuid.UUID) else uuid.UUID(str(u)).bytes) for u in uniques])
    table = table.astype(np.uint8).reshape(-1, 16)
    data = table[np.maximum(codes, 0)] if len(table) else np.zeros((len(values), 16), np.uint8)
    return _Field(np.where(codes < 0, NULL, 16), data, None)


def _text_field(values: pd.Series) -> _Field:
    array = pa.array(values.astype("string"), type=pa.large_string(), from_pandas=True)
    _, offset_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, np.uint8)
    lengths = np.diff(offsets)
    missing = array.is_null().to_numpy(zero_copy_only=False)
    return _Field(np.where(missing, NULL, lengths), data, offsets)


def _field(values: pd.Series, kind: str) -> _Field:
    if kind == "uuid":
        return _uuid_field(values)
    if kind == "text":
        return _text_field(values)
    return _fixed_field(values, kind)


def encode(frame: pd.DataFrame, table: Table) -> bytes:
    """``frame`` (columns named as the table's) as one binary COPY stream: header, rows, trailer."""
    fields = [_field(frame[name], _kind(table.c[name].type)) for name in frame.columns]
    n_rows = len(frame)
    row_sizes = 2 + sum(4 + np.maximum(f.lengths, 0) for f in fields)
    starts = len(HEADER) + np.concatenate(([0], np.cumsum(row_sizes)[:-1])).astype(np.int64)
    out = np.empty(len(HEADER) + int(np.sum(row_sizes)) + len(TRAILER), dtype=np.uint8)
    out[: len(HEADER)] = np.frombuffer(HEADER, np.uint8)
    out[-len(TRAILER) :] = np.frombuffer(TRAILER, np.uint8)
    _place(out, starts, np.full((n_rows, 1), len(fields), dtype=">i2").view(np.uint8))
    cursor = starts + 2
    for field in fields:
        _place(out, cursor, field.lengths.astype(">i4").reshape(-1, 1).view(np.uint8))
        cursor = cursor + 4
        present = field.lengths > 0
        if field.offsets is None:
            _place(out, cursor[present], field.data[present])
        else:
            _place_text(out, cursor[present], field)
        cursor = cursor + np.maximum(field.lengths, 0)
    return out.tobytes()


def _place(out: np.ndarray, starts: np.ndarray, rows: np.ndarray) -> None:
    """Write each row of ``rows`` (n, width bytes) at its start position."""
    if len(starts):
        out[starts[:, None] + np.arange(rows.shape[1])] = rows


def _place_text(out: np.ndarray, starts: np.ndarray, field: _Field) -> None:
    present = field.lengths > 0
    lengths = field.lengths[present]
    sources = field.offsets[:-1][present]
    if not len(lengths):
        return
    shift = np.repeat(starts - sources, lengths)
    source_positions = np.repeat(sources, lengths) + _ranges(lengths)
    out[source_positions + shift] = field.data[source_positions]


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """0..len-1 for each length, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1]) - np.repeat(ends - lengths, lengths)
