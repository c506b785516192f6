"""The API's read queries. Synchronous SQLAlchemy Core functions of a ``Connection``, run on the async
engine through ``run_sync``; each returns plain data (stored JSON as ``RawJSON``) or raises ``NotFound``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Connection, Table, Text, cast, func, literal_column, or_, select, union

from fintrace_pipeline.api.errors import NotFound
from fintrace_pipeline.api.responses import RawJSON, merge_object
from fintrace_pipeline.db.schema import (
    TOP_RISK_FLOOR,
    analytics_processing_results,
    data_files,
    file_processing_jobs,
    ml_model_processing_results,
    processing_job_trackers,
    transaction_flags,
    transaction_scores,
    transactions,
)
from fintrace_pipeline.findings import SECTIONS
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence.jobs import get_job, latest_job
from fintrace_pipeline.persistence.verdicts import (
    in_review_state,
    newest_for_rows,
    review_counts,
    with_counting_verdict,
)
from fintrace_pipeline.status import COMPLETED


def file_exists(connection: Connection, data_file_id: uuid.UUID) -> bool:
    found = connection.execute(select(data_files.c.id).where(data_files.c.id == data_file_id)).first()
    return found is not None


def resolve_job(
    connection: Connection, data_file_id: uuid.UUID | None, job_id: uuid.UUID | None
) -> tuple[uuid.UUID, uuid.UUID]:
    """(data_file_id, job_id) for a request naming a file, a job or both.

    For a file alone: its newest COMPLETED job when there is one (the results a reader wants), else
    its newest job (so a file still being processed shows its progress).
    """
    if job_id is not None:
        job = get_job(connection, job_id)
        if job is None or (data_file_id is not None and job.data_file_id != data_file_id):
            raise NotFound("no such processing job" + (" for this file" if data_file_id else ""))
        return job.data_file_id, job.id
    assert data_file_id is not None
    if not file_exists(connection, data_file_id):
        raise NotFound("no such data file")
    job = latest_job(connection, data_file_id, COMPLETED) or latest_job(connection, data_file_id)
    if job is None:
        raise NotFound("the data file has no processing job")
    return data_file_id, job.id


def _json_columns(table: Table) -> list[str]:
    return [c.name for c in table.c if isinstance(c.type, JSON)]


# An item of a results answer built from a row: (its scalar columns, JSON-safe; its JSON columns' stored texts).
ItemOf = Callable[[dict[str, Any], dict[str, str | None]], dict[str, Any]]


def result_items(
    connection: Connection, table: Table, key: str, job_id: uuid.UUID, kind: str | None, item_of: ItemOf
) -> list[dict[str, Any]]:
    """The job's result rows (only those whose ``key`` is ``kind``, if given) as answer items.

    JSON columns come back as their stored text (``None`` for NULL), so a large section is spliced
    into the response instead of being parsed and serialised again.
    """
    json_names = set(_json_columns(table))
    columns = [cast(table.c[n], Text).label(n) if n in json_names else table.c[n] for n in table.c.keys()]
    query = select(*columns).where(table.c.processing_job_id == job_id).order_by(table.c[key])
    if kind:
        query = query.where(table.c[key] == kind)
    items = []
    for row in connection.execute(query):
        mapping = row._mapping
        scalars = json_safe({k: v for k, v in mapping.items() if k not in json_names})
        items.append(item_of(scalars, {k: mapping[k] for k in json_names}))
    return items


def analytics_results(
    connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID, analytics_type: str | None
) -> list[dict[str, Any]]:
    """The job's analytics results (of one type, or all), their JSON sections under ``detailed_results``."""
    table = analytics_processing_results
    return result_items(connection, table, "analytics_type", job_id, analytics_type, _analytics_item)


def _analytics_item(scalars: dict[str, Any], texts: dict[str, str | None]) -> dict[str, Any]:
    item = {**scalars, **{name: RawJSON(text) for name, text in texts.items() if name not in SECTIONS}}
    item["detailed_results"] = {name: RawJSON(texts.get(name)) for name in SECTIONS}
    return item


def ml_results(
    connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID, model_type: str | None
) -> list[dict[str, Any]]:
    """The job's ML model results (of one model, or all); ``detailed_results`` carries the metrics too."""
    return result_items(connection, ml_model_processing_results, "model_type", job_id, model_type, _ml_item)


def _ml_item(scalars: dict[str, Any], texts: dict[str, str | None]) -> dict[str, Any]:
    extras = {name: RawJSON(texts.get(name)) for name in ("model_metrics", "feature_importance")}
    # As views.ml_results: the metrics and feature importance are also part of detailed_results.
    detailed = merge_object(RawJSON(texts.get("detailed_results")), extras)
    return {**scalars, **extras, "detailed_results": detailed}


# -- file listing ------------------------------------------------------------------------------------


def _latest_job_column(column):
    """A correlated subquery: ``column`` of the file's newest job."""
    return (
        select(column)
        .where(file_processing_jobs.c.data_file_id == data_files.c.id)
        .order_by(file_processing_jobs.c.created_at.desc(), file_processing_jobs.c.id)
        .limit(1)
        .scalar_subquery()
    )


def list_files(
    connection: Connection,
    limit: int,
    offset: int,
    status: str | None,
    source: str | None = None,
    search: str | None = None,
) -> tuple[int, list[dict]]:
    """Newest files first with their latest job; ``status`` filters on that job's status, ``source``
    on the file's source, ``search`` on a part of the file's name or source (any case).

    The page's ids come from the (created_at, id) index alone, so skipping thousands of files costs
    an index walk; the latest job is then looked up for the page's files only.
    """
    conditions = []
    if source:
        conditions.append(data_files.c.source == source)
    if search:
        needle = search.lower()
        conditions.append(
            or_(
                func.lower(data_files.c.file_name).contains(needle, autoescape=True),
                data_files.c.source.contains(needle, autoescape=True),
            )
        )
    if status:
        conditions.append(_latest_job_column(file_processing_jobs.c.status) == status)
    newest_first = (data_files.c.created_at.desc(), data_files.c.id.desc())
    total = connection.execute(select(func.count()).select_from(data_files).where(*conditions)).scalar_one()
    page_ids = connection.execute(
        select(data_files.c.id).where(*conditions).order_by(*newest_first).limit(limit).offset(offset)
    ).scalars().all()
    if not page_ids:
        return total, []
    page = (
        select(
            data_files.c.id,
            data_files.c.file_name,
            data_files.c.size_bytes,
            data_files.c.source,
            data_files.c.received_via,
            data_files.c.file_format,
            data_files.c.rows_read,
            data_files.c.rows_loaded,
            data_files.c.rows_rejected,
            data_files.c.created_at,
            _latest_job_column(file_processing_jobs.c.id).label("latest_job_id"),
            _latest_job_column(file_processing_jobs.c.status).label("latest_job_status"),
        )
        .where(data_files.c.id.in_(page_ids))
        .subquery()
    )
    # High-risk transactions of the latest job, as the anomaly detection stage (the rule-scoring stage) counted them.
    scored = analytics_processing_results
    rows = connection.execute(
        select(page, scored.c.high_risk_transactions)
        .outerjoin(
            scored,
            (scored.c.processing_job_id == page.c.latest_job_id) & (scored.c.analytics_type == "anomaly_detection"),
        )
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    ).all()
    items = []
    for row in rows:
        item = json_safe(dict(row._mapping))
        item["data_file_id"] = item.pop("id")
        items.append(item)
    return total, items


# -- flagged transactions ---------------------------------------------------------------------------

TRANSACTION_FIELDS = ("posting_date", "amount", "user_name", "vendor", "account", "account_name", "description")


def flagged_transactions(
    connection: Connection,
    data_file_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    min_risk: float | None,
    rule: str | None,
    limit: int,
    offset: int,
    review: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Transactions with at least one finding of the rule stages (only of ``rule`` if given) or that
    the ML ensemble calls high risk, highest risk score first; ``review``: only those in that review
    state (see ``verdicts.REVIEW_STATES``) by the verdict that counts for each."""
    scores = transaction_scores
    flagged_rows = _flagged_rows(job_id, rule)
    where = [scores.c.risk_score >= min_risk] if min_risk is not None else []
    source = flagged_rows
    if review:
        source, verdict = with_counting_verdict(data_file_id, flagged_rows)
        where.append(in_review_state(verdict, review))
    joined = source.outerjoin(
        scores, (scores.c.processing_job_id == job_id) & (scores.c.row_number == flagged_rows.c.row_number)
    )
    total = connection.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    page = connection.execute(
        select(flagged_rows.c.row_number, scores.c.transaction_id, scores.c.risk_score, scores.c.reason_text)
        .select_from(joined)
        .where(*where)
        .order_by(scores.c.risk_score.desc().nulls_last(), flagged_rows.c.row_number)
        .limit(limit)
        .offset(offset)
    ).all()
    row_numbers = [r.row_number for r in page]
    if not row_numbers:
        return total, []
    findings = _findings_by_row(connection, job_id, row_numbers)
    details = _transactions_by_row(connection, data_file_id, row_numbers)
    verdicts = newest_for_rows(connection, data_file_id, row_numbers)
    items = []
    for row in page:
        detail = details.get(row.row_number, {})
        found = findings.get(row.row_number, [])
        items.append(
            {
                "row_number": row.row_number,
                "transaction_id": detail.get("transaction_id") if row.transaction_id is None else row.transaction_id,
                "risk_score": json_safe(row.risk_score),
                "model_reasons": row.reason_text,
                "rule_codes": sorted({f["rule_code"] for f in found}),
                "findings": found,
                **{("user" if k == "user_name" else k): detail.get(k) for k in TRANSACTION_FIELDS},
                "verdict": verdicts.get(row.row_number),
            }
        )
    return total, items


def _flagged_rows(job_id: uuid.UUID, rule: str | None):
    """The row numbers of the job's flagged transactions (of ``rule``'s findings, if given)."""
    scores = transaction_scores
    flagged = select(transaction_flags.c.row_number).where(transaction_flags.c.processing_job_id == job_id)
    if rule:
        return flagged.where(transaction_flags.c.rule_code == rule).distinct().subquery("flagged")
    # The ensemble stores reasons for its high-risk rows only, all of them in the indexed top tenth.
    high_risk = select(scores.c.row_number).where(
        scores.c.processing_job_id == job_id,
        scores.c.risk_score >= literal_column(str(TOP_RISK_FLOOR)),
        scores.c.reasons != "",
    )
    return union(flagged, high_risk).subquery("flagged")


def transaction_review_counts(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, int]:
    """The job's flagged transactions by the verdict that counts for each (``verdicts.review_counts``)."""
    joined, verdict = with_counting_verdict(data_file_id, _flagged_rows(job_id, None))
    return review_counts(connection, joined, verdict)


def _findings_by_row(connection: Connection, job_id: uuid.UUID, row_numbers: list[int]) -> dict[int, list[dict]]:
    flags = transaction_flags
    rows = connection.execute(
        select(
            flags.c.row_number,
            flags.c.rule_code,
            flags.c.severity,
            flags.c.reason,
            flags.c.analytics_type,
            flags.c.group_id,
        )
        .where(flags.c.processing_job_id == job_id, flags.c.row_number.in_(row_numbers))
        .order_by(flags.c.row_number, flags.c.id)
    )
    out: dict[int, list[dict]] = {}
    for row in rows:
        finding = dict(row._mapping)
        out.setdefault(finding.pop("row_number"), []).append(finding)
    return out


def _transactions_by_row(connection: Connection, data_file_id: uuid.UUID, row_numbers: list[int]) -> dict[int, dict]:
    t = transactions
    columns = [t.c.row_number, t.c.transaction_id, *(t.c[k] for k in TRANSACTION_FIELDS)]
    rows = connection.execute(
        select(*columns).where(transactions.c.data_file_id == data_file_id, transactions.c.row_number.in_(row_numbers))
    )
    return {row.row_number: json_safe(dict(row._mapping)) for row in rows}


# -- progress and summary freshness ------------------------------------------------------------------


def _state_of(connection: Connection, table: Table, job_id: uuid.UUID) -> str:
    count, latest = connection.execute(
        select(func.count(), func.max(table.c.updated_at)).where(table.c.processing_job_id == job_id)
    ).one()
    return f"{count}/{latest or ''}"


def job_state(connection: Connection, file_id: uuid.UUID | None, job_id: uuid.UUID | None) -> tuple | None:
    """(data_file_id, job_id, freshness token) as ``fastpath.job_state``, for any database."""
    try:
        file_id, job_id = resolve_job(connection, file_id, job_id)
    except NotFound:
        return None
    job = get_job(connection, job_id)
    file_updated = connection.execute(select(data_files.c.updated_at).where(data_files.c.id == file_id)).scalar()
    tracker_updated = connection.execute(
        select(processing_job_trackers.c.updated_at).where(processing_job_trackers.c.processing_job_id == job_id)
    ).scalar()
    job_updated = connection.execute(
        select(file_processing_jobs.c.updated_at).where(file_processing_jobs.c.id == job_id)
    ).scalar()
    token = (
        job.status,
        str(job_updated),
        str(file_updated),
        str(tracker_updated),
        _state_of(connection, analytics_processing_results, job_id),
        _state_of(connection, ml_model_processing_results, job_id),
    )
    return file_id, job_id, token
