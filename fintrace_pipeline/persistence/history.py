"""The per-source history: each file's share written as the file's comparison completes, and the
shares of the files whose data comes before a file read back, summed, as its ``History``.

A file's share is replaced whole (its rows deleted, then inserted), so re-processing never counts a
file twice; reading sums the stored monthly aggregates and looks up only the file's own document
keys, so a file's comparison reads no earlier transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, select

from fintrace_pipeline.analytics.history.contribution import DOCUMENT_COLUMNS, MONTHLY_COLUMNS, Contribution
from fintrace_pipeline.analytics.history.history import EARLIER_DOCUMENT_COLUMNS, FILE_COLUMNS, History
from fintrace_pipeline.db import bulk
from fintrace_pipeline.db.schema import data_files, history_documents, history_files, history_monthly
from fintrace_pipeline.persistence.clock import utcnow

KEYS_PER_QUERY = 2_000  # match keys per IN list: well below SQLite's limit on bound parameters


def record_contribution(
    connection: Connection, data_file_id: uuid.UUID, source: str, contribution: Contribution
) -> None:
    """Store ``contribution`` as the file's share of ``source``'s history, in place of any it had."""
    forget_file(connection, data_file_id)
    if contribution.period_start is None:
        return
    connection.execute(
        insert(history_files).values(
            data_file_id=data_file_id,
            source=source,
            period_start=contribution.period_start.to_pydatetime(),
            period_end=contribution.period_end.to_pydatetime(),
            rows=contribution.rows,
            recorded_at=utcnow(),
        )
    )
    monthly = contribution.monthly.assign(data_file_id=data_file_id, source=source)
    bulk.insert_frame(connection, history_monthly, monthly)
    documents = contribution.documents.assign(data_file_id=data_file_id, source=source)
    bulk.insert_frame(connection, history_documents, documents)


def forget_file(connection: Connection, data_file_id: uuid.UUID) -> None:
    for table in (history_documents, history_monthly, history_files):
        connection.execute(delete(table).where(table.c.data_file_id == data_file_id))


def _earlier(source: str, data_file_id: uuid.UUID, period_start: datetime):
    """The condition on ``history_files`` for the files of ``source`` whose data starts before ``period_start``."""
    h = history_files
    return and_(h.c.source == source, h.c.period_start < period_start, h.c.data_file_id != data_file_id)


def load_history(
    connection: Connection,
    source: str,
    data_file_id: uuid.UUID,
    period_start: pd.Timestamp | None,
    documents: pd.DataFrame | None = None,
    amount_days: int | None = None,
) -> History:
    """The earlier files of ``source`` (data starting before ``period_start``), their monthly aggregates
    summed, and their documents sharing a (kind, match_key) with ``documents``; with ``amount_days``,
    only the "amount" documents dated at most that many days before ``period_start`` (a vendor's
    recurring amount matches every earlier month otherwise, so the read would grow with the history)."""
    if period_start is None:
        return History(source)
    start = pd.Timestamp(period_start).to_pydatetime()
    earlier = _earlier(source, data_file_id, start)
    h, m = history_files, history_monthly
    files = pd.DataFrame(
        connection.execute(
            select(h.c.data_file_id, data_files.c.file_name, h.c.period_start, h.c.period_end, h.c.rows)
            .join(data_files, data_files.c.id == h.c.data_file_id)
            .where(earlier)
            .order_by(h.c.period_start)
        ).all(),
        columns=list(FILE_COLUMNS),
    )
    if files.empty:
        return History(source)
    monthly_rows = connection.execute(
        select(
            m.c.kind,
            m.c.key,
            m.c.month,
            func.sum(m.c.rows),
            func.sum(m.c.total),
            func.min(m.c.first_date),
            func.max(m.c.last_date),
        )
        .join(h, h.c.data_file_id == m.c.data_file_id)
        .where(earlier, m.c.source == source)
        .group_by(m.c.kind, m.c.key, m.c.month)
    ).all()
    monthly = pd.DataFrame(monthly_rows, columns=list(MONTHLY_COLUMNS))
    monthly = monthly.astype({"rows": "int64", "total": "float64"})
    for column in ("first_date", "last_date"):
        monthly[column] = pd.to_datetime(monthly[column])
    wanted = documents if documents is not None else pd.DataFrame(columns=list(DOCUMENT_COLUMNS))
    amounts_since = None if amount_days is None else start - timedelta(days=amount_days)
    documents_found = _matching_documents(connection, source, files, wanted, {"amount": amounts_since})
    return History(source, files, monthly, documents_found)


def _matching_documents(
    connection: Connection, source: str, files: pd.DataFrame, wanted: pd.DataFrame, since: dict[str, datetime | None]
) -> pd.DataFrame:
    """The documents of the earlier ``files`` sharing a key with ``wanted``; ``since``: per kind, the
    earliest posting date read (none: all). Looked up by key alone, then kept to the earlier files:
    joined to the files, the lookup is planned as a walk through every earlier file's documents."""
    d = history_documents
    found: list[Sequence] = []
    for kind, keys in wanted.groupby("kind")["match_key"]:
        distinct = keys.dropna().unique().tolist()
        dated = [] if since.get(kind) is None else [d.c.posting_date >= since[kind]]
        for begin in range(0, len(distinct), KEYS_PER_QUERY):
            chunk = distinct[begin : begin + KEYS_PER_QUERY]
            found += connection.execute(
                select(*(d.c[c] for c in DOCUMENT_COLUMNS), d.c.data_file_id).where(
                    d.c.source == source, d.c.kind == kind, d.c.match_key.in_(chunk), *dated
                )
            ).all()
    frame = pd.DataFrame(found, columns=[*DOCUMENT_COLUMNS, "data_file_id"])
    frame = frame.merge(files[["data_file_id", "file_name"]], on="data_file_id")
    frame["posting_date"] = pd.to_datetime(frame["posting_date"])
    return frame.loc[:, list(EARLIER_DOCUMENT_COLUMNS)].astype({"amount": "float64"})


def file_periods(connection: Connection, file_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """Each recorded file's first posting date (files not processed yet have none)."""
    if not file_ids:
        return {}
    rows = connection.execute(
        select(history_files.c.data_file_id, history_files.c.period_start).where(
            history_files.c.data_file_id.in_(list(file_ids))
        )
    ).all()
    return {row.data_file_id: row.period_start for row in rows}
