"""Download bodies built in worker threads, never on the event loop.

A CSV is read through a streaming cursor and written chunk by chunk; an xlsx workbook is built
whole (a sheet holds at most ``exports.XLSX_MAX_DATA_ROWS`` rows). The usual failures (database
unreachable, too many rows for xlsx) happen before the response sends its headers, so the client
gets a JSON error with its status; only a connection lost in the middle of a CSV cuts it short.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import anyio
import pandas as pd
from sqlalchemy import Connection, Engine, Select
from starlette.concurrency import run_in_threadpool

from fintrace_pipeline import exports
from fintrace_pipeline.api.errors import BadRequest
from fintrace_pipeline.api.export_queries import export_query, query_frame, row_count, trial_balance_frame


class TooManyRowsForXlsx(BadRequest):
    def __init__(self, rows: int):
        super().__init__(
            f"the export has {rows:,} rows, more than an xlsx sheet holds ({exports.XLSX_MAX_DATA_ROWS:,}); "
            "ask for format=csv"
        )


async def export_body(
    engine: Engine, what: str, file_format: str, data_file_id: uuid.UUID, job_id: uuid.UUID
) -> AsyncIterator[bytes] | bytes:
    """The whole xlsx workbook, or a CSV as an async stream of chunks whose first one is already read."""
    if file_format == "xlsx":
        return await run_in_threadpool(_xlsx_bytes, engine, what, data_file_id, job_id)
    chunks = _csv_chunks(engine, what, data_file_id, job_id)
    first = await run_in_threadpool(next, chunks)
    return _in_threadpool(first, chunks)


def _xlsx_bytes(engine: Engine, what: str, data_file_id: uuid.UUID, job_id: uuid.UUID) -> bytes:
    query = export_query(what, data_file_id, job_id)
    with engine.connect() as connection:
        if query is None:
            frame = trial_balance_frame(connection, data_file_id, job_id)
        else:
            rows = row_count(connection, query)
            if rows > exports.XLSX_MAX_DATA_ROWS:
                raise TooManyRowsForXlsx(rows)
            frame = query_frame(connection, query)
    return exports.to_xlsx_bytes(frame, sheet_name=what)


def _csv_chunks(engine: Engine, what: str, data_file_id: uuid.UUID, job_id: uuid.UUID) -> Iterator[bytes]:
    """CSV pieces of ``exports.CSV_CHUNK_ROWS`` rows each; the first always carries the header."""
    query = export_query(what, data_file_id, job_id)
    with engine.connect() as connection:
        if query is None:
            yield exports.csv_part(trial_balance_frame(connection, data_file_id, job_id), header=True)
            return
        yield from _streamed_csv(connection, query)


def _streamed_csv(connection: Connection, query: Select) -> Iterator[bytes]:
    result = connection.execution_options(stream_results=True).execute(query)
    columns = list(result.keys())
    header = True
    while True:
        rows = result.fetchmany(exports.CSV_CHUNK_ROWS)
        if rows or header:
            yield exports.csv_part(pd.DataFrame.from_records(rows, columns=columns), header=header)
        if len(rows) < exports.CSV_CHUNK_ROWS:
            return
        header = False


async def _in_threadpool(first: bytes, chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """``first``, then the rest of ``chunks``, each produced in a worker thread.

    The generator (and the database connection it holds) is closed even when the client goes away
    mid-download.
    """
    try:
        yield first
        while (chunk := await run_in_threadpool(next, chunks, None)) is not None:
            yield chunk
    finally:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(chunks.close)
