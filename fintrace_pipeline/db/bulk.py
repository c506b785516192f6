"""Bulk movement of DataFrames in and out of tables: COPY on PostgreSQL (binary where every column's
type allows, else CSV), executemany on SQLite.

Row-by-row inserts are ~40x slower than COPY on PostgreSQL, so every per-row table goes through here.
"""

from __future__ import annotations

import io
import json
import math
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import JSON, Connection, Select, String, Table, Uuid, select, type_coerce

from fintrace_pipeline.db import binary_copy

COPY_CHUNK_ROWS = 200_000


def _json_cell(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return json.dumps(value, default=str, allow_nan=False)


def _prepare(frame: pd.DataFrame, table: Table, dialect: str) -> pd.DataFrame:
    """Frame restricted to the table's columns, JSON and UUID values in their stored text form."""
    out = frame[[c for c in frame.columns if c in table.c]].copy()
    for name in out.columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            out[name] = out[name].map(_json_cell)
        elif isinstance(column_type, Uuid):
            out[name] = _uuid_text(out[name], dialect)
    return out


def _uuid_text(values: pd.Series, dialect: str) -> pd.Series:
    """UUIDs as stored text: native uuid text on PostgreSQL, 32 hex digits on SQLite (as SQLAlchemy
    does), formatted once per distinct value."""

    def text(value: uuid.UUID) -> str:
        return str(value) if dialect == "postgresql" else value.hex

    array = values.to_numpy(dtype=object)
    first = array[0] if len(array) else None
    # Per-row tables repeat one file's or job's id object (``frame.assign(...)``): comparing
    # identities is far cheaper than hashing a million UUIDs.
    if first is not None and all(value is first for value in array):
        return pd.Series(text(first), index=values.index, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([text(v) for v in uniques] + [None], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named as the table's) inside the caller's transaction."""
    if frame.empty:
        return 0
    prepared = _prepare(frame, table, connection.dialect.name)
    if connection.dialect.name == "postgresql":
        _copy_in(connection, table, prepared)
    else:
        _executemany(connection, table, prepared)
    return len(prepared)


def _copy_in(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    binary = binary_copy.encodable(table, list(frame.columns))
    sql = f'COPY "{table.name}" ({columns}) FROM STDIN WITH (FORMAT {"binary" if binary else "csv"})'

    def encoded(start: int) -> bytes:
        chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
        return binary_copy.encode(chunk, table) if binary else _csv_bytes(chunk)

    starts = list(range(0, len(frame), COPY_CHUNK_ROWS))
    cursor = connection.connection.dbapi_connection.cursor()
    # The next chunk is encoded while the server stores this one (both release the GIL); one chunk
    # ahead at most, so memory stays bounded whatever the file size.
    with ThreadPoolExecutor(max_workers=1) as encoder:
        try:
            upcoming = encoder.submit(encoded, starts[0])
            for following in [*starts[1:], None]:
                data = upcoming.result()
                if following is not None:
                    upcoming = encoder.submit(encoded, following)
                cursor.copy_expert(sql, io.BytesIO(data))
        finally:
            cursor.close()


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    # pyarrow's CSV writer is several times faster than DataFrame.to_csv; it writes a missing value as
    # an unquoted empty field, which is NULL in PostgreSQL's CSV format, and quotes every string.
    buffer = io.BytesIO()
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), buffer, write_options=options)
    return buffer.getvalue()


def _python_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _executemany(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    columns = list(frame.columns)
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})'
    converters = []
    for name in columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):
            converters.append(_datetime_text)
        else:
            converters.append(_python_value)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
            column_values = [
                list(map(conv, chunk[name].tolist())) for conv, name in zip(converters, columns, strict=True)
            ]
            cursor.executemany(sql, list(zip(*column_values, strict=True)))
    finally:
        cursor.close()


def _datetime_text(value) -> str | None:
    # SQLAlchemy's SQLite DateTime stores ISO text with microseconds; write the same form.
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def read_frame(connection: Connection, table: Table, where, columns: Sequence[str], order_by: str) -> pd.DataFrame:
    """Read ``columns`` of the rows matching ``where``; COPY TO on PostgreSQL for large tables."""
    query = select(*(table.c[c] for c in columns)).where(where).order_by(table.c[order_by])
    if connection.dialect.name == "postgresql":
        compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        buffer = io.StringIO()
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.copy_expert(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER, NULL '\\N')", buffer)
        finally:
            cursor.close()
        buffer.seek(0)
        return pd.read_csv(buffer, dtype=str, keep_default_na=False, na_values=["\\N"])
    return read_raw(connection, query)


def read_raw(connection: Connection, query: Select, chunk_rows: int = COPY_CHUNK_ROWS) -> pd.DataFrame:
    """The query's rows as the driver returns them, without converting each value in Python (ids and
    times stay text on SQLite); the caller converts whole columns at once. Read in chunks, each made
    columns at once (text as compact strings), so no more than a chunk of the driver's rows is held."""
    raw = query.with_only_columns(*(type_coerce(c, String) for c in query.selected_columns), maintain_column_froms=True)
    columns = [c.name for c in query.selected_columns]
    parts: dict[str, list[pd.Series]] = {name: [] for name in columns}
    result = connection.execute(raw)
    try:
        # The driver's tuples, without a Row object each; column by column, as a frame built from
        # Row objects probes each row's attributes, ten times slower.
        while rows := result.cursor.fetchmany(chunk_rows):
            for name, values in zip(columns, zip(*rows, strict=True), strict=True):
                parts[name].append(_column(values))
    finally:
        result.close()
    return pd.DataFrame(
        {
            name: pd.concat(chunks, ignore_index=True) if chunks else pd.Series([], dtype=object)
            for name, chunks in parts.items()
        }
    )


def _column(values: tuple) -> pd.Series:
    """Text as the compact string dtype; anything else (numbers the driver typed) as it came. A
    column's type shows in its first value: a database column holds one type."""
    first = next((v for v in values if v is not None), None)
    return pd.Series(values, dtype="str" if isinstance(first, str) else object)
