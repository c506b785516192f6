"""The tables behind each download: the query of each row-per-record export, and the trial balance."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, Text, cast, func, select

from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    entry_scores,
    transaction_flags,
    transaction_scores,
    transactions,
)
from fintrace_pipeline.export_kinds import DUPLICATES, ENTRIES, FLAGS, SCORES, TRIAL_BALANCE
from fintrace_pipeline.persistence.verdicts import with_counting_verdict, with_entry_verdict

TRANSACTION_COLUMNS = ("transaction_id", "posting_date", "amount", "account", "user_name", "vendor", "description")
SCORE_EXPORT_COLUMNS = (
    "row_number",
    "transaction_id",
    "risk_score",
    "reasons",
    "reason_text",
    "isolation_forest_score",
    "random_forest_score",
    "dbscan_score",
    "rule_score",
)
ENTRY_EXPORT_COLUMNS = (
    "je_number",
    "risk_score",
    "line_count",
    "first_row_number",
    "posting_date",
    "debit_total",
    "credit_total",
    "rule_codes",
    "reasons",
    "reason_text",
)
TRIAL_BALANCE_COLUMNS = ("account", "account_name", "debit", "credit", "net", "lines")


def query_frame(connection: Connection, query: Select) -> pd.DataFrame:
    result = connection.execute(query)
    return pd.DataFrame.from_records(result.all(), columns=list(result.keys()))


def scores_query(data_file_id: uuid.UUID, job_id: uuid.UUID) -> Select:
    """Every scored row with the verdict that counts for it (empty when it has none)."""
    s = transaction_scores
    joined, verdict = with_counting_verdict(data_file_id, s)
    return (
        select(*(s.c[name] for name in SCORE_EXPORT_COLUMNS), verdict.label("verdict"))
        .select_from(joined)
        .where(s.c.processing_job_id == job_id)
        .order_by(s.c.risk_score.desc(), s.c.row_number)
    )


def entries_query(data_file_id: uuid.UUID, job_id: uuid.UUID) -> Select:
    """Every scored entry with its newest verdict (empty when it has none)."""
    e = entry_scores
    joined, verdict = with_entry_verdict(data_file_id, e)
    return (
        select(*(e.c[name] for name in ENTRY_EXPORT_COLUMNS), verdict.label("verdict"))
        .select_from(joined)
        .where(e.c.processing_job_id == job_id)
        .order_by(e.c.risk_score.desc(), e.c.first_row_number)
    )


def flags_query(data_file_id: uuid.UUID, job_id: uuid.UUID, *, duplicates_only: bool = False) -> Select:
    """Every finding with the transaction it is about; ``duplicates_only``: duplicate-group members."""
    f, t = transaction_flags, transactions
    query = (
        select(
            f.c.analytics_type,
            f.c.group_id,
            f.c.row_number,
            f.c.rule_code,
            f.c.severity,
            f.c.reason,
            cast(f.c.details, Text).label("details"),
            *(t.c[name].label("user" if name == "user_name" else name) for name in TRANSACTION_COLUMNS),
        )
        .select_from(f.outerjoin(t, (t.c.data_file_id == data_file_id) & (t.c.row_number == f.c.row_number)))
        .where(f.c.processing_job_id == job_id)
    )
    if duplicates_only:
        query = query.where(f.c.analytics_type == "duplicate_analysis", f.c.group_id.is_not(None))
        return query.order_by(f.c.group_id, f.c.row_number, f.c.id)
    return query.order_by(f.c.row_number, f.c.id)


def export_query(what: str, data_file_id: uuid.UUID, job_id: uuid.UUID) -> Select | None:
    """The query of a row-per-record export; None for the trial balance, a stored JSON section."""
    if what == SCORES:
        return scores_query(data_file_id, job_id)
    if what == FLAGS:
        return flags_query(data_file_id, job_id)
    if what == DUPLICATES:
        return flags_query(data_file_id, job_id, duplicates_only=True)
    if what == ENTRIES:
        return entries_query(data_file_id, job_id)
    if what == TRIAL_BALANCE:
        return None
    raise ValueError(f"unknown export {what!r}")


def row_count(connection: Connection, query: Select) -> int:
    return connection.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def trial_balance_frame(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID) -> pd.DataFrame:
    """The per-account trial balance stored by default analytics (plus its "other" line when truncated)."""
    a = analytics_processing_results
    stored = connection.execute(
        select(cast(a.c.trial_balance_data, Text)).where(
            a.c.processing_job_id == job_id, a.c.analytics_type == "default_analytics"
        )
    ).scalar()
    section: dict[str, Any] = json.loads(stored) if stored else {}
    accounts = section.get("accounts") or {}
    rows = list(accounts.get("items") or [])
    other = accounts.get("other") or {}
    if other.get("groups"):
        totals = {k: v for k, v in other.items() if k != "groups"}
        rows.append({"account": f"(other: {other['groups']} accounts)", **totals})
    return pd.DataFrame.from_records(rows).reindex(columns=list(TRIAL_BALANCE_COLUMNS))


def export_frame(connection: Connection, what: str, data_file_id: uuid.UUID, job_id: uuid.UUID) -> pd.DataFrame:
    """The whole export as one DataFrame (the command line's ``fintrace export``)."""
    query = export_query(what, data_file_id, job_id)
    if query is None:
        return trial_balance_frame(connection, data_file_id, job_id)
    return query_frame(connection, query)
