"""History as a reader sees it: one file's comparison with its source's earlier files, and a source's
months side by side (lines and gross amount, the share of lines with a medium or high finding, and the
transactions and entries reviewers confirmed)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Connection, func, select

from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    data_files,
    file_processing_jobs,
    history_files,
    history_monthly,
    transaction_flags,
    transactions,
    verdicts,
)
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence.verdicts import newest_query
from fintrace_pipeline.status import COMPLETED

PERIOD_COMPARISON = "period_comparison"
FLAGGED_SEVERITIES = ("medium", "high")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def file_comparison(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """The job's period_comparison result: status, note, summary, the comparison and the months."""
    r = analytics_processing_results
    row = connection.execute(
        select(r).where(r.c.processing_job_id == job_id, r.c.analytics_type == PERIOD_COMPARISON)
    ).first()
    source = connection.execute(select(data_files.c.source).where(data_files.c.id == data_file_id)).scalar_one()
    if row is None:
        return {
            "file_id": str(data_file_id),
            "job_id": str(job_id),
            "source": source,
            "status": None,
            "note": "the file has not been compared with its source's earlier files yet",
            "summary": {},
            "comparison": None,
            "months": None,
        }
    return json_safe(
        {
            "file_id": str(data_file_id),
            "job_id": str(job_id),
            "source": source,
            "status": row.processing_status,
            "note": row.error_message,
            "summary": {
                "flagged_transactions": row.flagged_transactions,
                "findings": row.anomalies_found,
                "cross_file_duplicates": row.duplicates_found,
            },
            "comparison": _json(row.risk_assessment),
            "months": _json(row.temporal_patterns),
        }
    )


def _month(column, dialect: str):
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _reading_jobs(connection: Connection, source: str) -> dict[uuid.UUID, uuid.UUID]:
    """Per file of the source, the job a reader sees: its newest COMPLETED job, else its newest."""
    j = file_processing_jobs
    rows = connection.execute(
        select(j.c.id, j.c.data_file_id, j.c.status)
        .join(data_files, data_files.c.id == j.c.data_file_id)
        .where(data_files.c.source == source)
        .order_by(j.c.created_at.desc(), j.c.id)
    ).all()
    chosen: dict[uuid.UUID, uuid.UUID] = {}
    completed: dict[uuid.UUID, uuid.UUID] = {}
    for row in rows:
        chosen.setdefault(row.data_file_id, row.id)
        if row.status == COMPLETED:
            completed.setdefault(row.data_file_id, row.id)
    return {**chosen, **completed}


def source_trends(connection: Connection, source: str) -> dict[str, Any] | None:
    """The source's months in order (None for a source without a file)."""
    has_file = connection.execute(select(data_files.c.id).where(data_files.c.source == source).limit(1)).first()
    if has_file is None:
        return None
    dialect = connection.dialect.name
    m, h = history_monthly, history_files
    months: dict[str, dict[str, Any]] = {}

    def at(month: str) -> dict[str, Any]:
        return months.setdefault(month, {"month": month, "rows": 0, "total": 0.0, "flagged_rows": 0, "confirmed": 0})

    for month, rows, total in connection.execute(
        select(m.c.month, func.sum(m.c.rows), func.sum(m.c.total))
        .where(m.c.source == source, m.c.kind == "total")
        .group_by(m.c.month)
    ):
        at(month).update(rows=int(rows), total=round(float(total), 2))
    job_ids = list(_reading_jobs(connection, source).values())
    if job_ids:
        f, t = transaction_flags, transactions
        flagged = (
            select(f.c.data_file_id, f.c.row_number)
            .where(f.c.processing_job_id.in_(job_ids), f.c.severity.in_(FLAGGED_SEVERITIES))
            .distinct()
            .subquery()
        )
        month = _month(t.c.posting_date, dialect)
        for month_value, count in connection.execute(
            select(month, func.count())
            .select_from(
                flagged.join(t, (t.c.data_file_id == flagged.c.data_file_id) & (t.c.row_number == flagged.c.row_number))
            )
            .group_by(month)
        ):
            at(month_value)["flagged_rows"] = int(count)
    for month_value, count in _confirmed_by_month(connection, source, dialect):
        at(month_value)["confirmed"] = int(count)
    ordered = [months[k] for k in sorted(months)]
    for entry in ordered:
        entry["flagged_share"] = round(entry["flagged_rows"] / entry["rows"], 4) if entry["rows"] else None
    files = connection.execute(
        select(h.c.data_file_id, data_files.c.file_name, h.c.period_start, h.c.period_end, h.c.rows)
        .join(data_files, data_files.c.id == h.c.data_file_id)
        .where(h.c.source == source)
        .order_by(h.c.period_start)
    ).all()
    return json_safe(
        {
            "source": source,
            "months": ordered,
            "files": [
                {
                    "data_file_id": r.data_file_id,
                    "file_name": r.file_name,
                    "period_start": r.period_start,
                    "period_end": r.period_end,
                    "rows": r.rows,
                }
                for r in files
            ],
        }
    )


def _confirmed_by_month(connection: Connection, source: str, dialect: str) -> list[tuple[str, int]]:
    """Targets whose newest verdict is confirmed, by the month of their transaction (an entry: its first line)."""
    newest = newest_query(verdicts.c.source == source).subquery()
    confirmed = select(newest).where(newest.c.verdict == "confirmed").subquery()
    t = transactions
    month = _month(t.c.posting_date, dialect)
    by_row = connection.execute(
        select(month, func.count())
        .select_from(
            confirmed.join(
                t, (t.c.data_file_id == confirmed.c.data_file_id) & (t.c.row_number == confirmed.c.row_number)
            )
        )
        .group_by(month)
    ).all()
    first_line = (
        select(t.c.data_file_id, t.c.je_number, func.min(t.c.posting_date).label("posting_date"))
        .where(t.c.data_file_id.in_(select(confirmed.c.data_file_id).where(confirmed.c.je_number.is_not(None))))
        .group_by(t.c.data_file_id, t.c.je_number)
        .subquery()
    )
    entry_month = _month(first_line.c.posting_date, dialect)
    by_entry = connection.execute(
        select(entry_month, func.count())
        .select_from(
            confirmed.join(
                first_line,
                (first_line.c.data_file_id == confirmed.c.data_file_id)
                & (first_line.c.je_number == confirmed.c.je_number),
            )
        )
        .group_by(entry_month)
    ).all()
    totals: dict[str, int] = {}
    for month_value, count in [*by_row, *by_entry]:
        totals[month_value] = totals.get(month_value, 0) + int(count)
    return sorted(totals.items())
