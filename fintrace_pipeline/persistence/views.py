"""Read-side views of the stored results, as JSON-ready dicts (shared by the saver and the API)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, Table, func, select

from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    data_files,
    file_processing_jobs,
    ml_model_processing_results,
    processing_job_trackers,
    rejected_rows,
    transaction_flags,
)
from fintrace_pipeline.findings import SECTIONS
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.stages import STAGES

_ANALYTICS_SCALARS = [c.name for c in analytics_processing_results.c if c.name not in SECTIONS]
_ML_DETAIL = ("detailed_results", "model_metrics", "feature_importance")


def row_dict(row, columns: list[str] | None = None) -> dict[str, Any]:
    mapping = row._mapping
    return json_safe({k: mapping[k] for k in (columns or mapping.keys())})


# Where the server archived the original is its own business, not something to show a reader.
_DATA_FILE_COLUMNS = [c for c in data_files.c if c.name != "stored_path"]


def data_file_view(connection: Connection, data_file_id: uuid.UUID) -> dict[str, Any] | None:
    row = connection.execute(select(*_DATA_FILE_COLUMNS).where(data_files.c.id == data_file_id)).first()
    return row_dict(row) if row else None


def job_view(connection: Connection, job_id: uuid.UUID) -> dict[str, Any] | None:
    row = connection.execute(select(file_processing_jobs).where(file_processing_jobs.c.id == job_id)).first()
    return row_dict(row) if row else None


def progress_view(connection: Connection, job_id: uuid.UUID) -> dict[str, Any] | None:
    """The tracker, with the job's status so a poller can stop on failure as well as at 100."""
    row = connection.execute(
        select(processing_job_trackers, file_processing_jobs.c.status, file_processing_jobs.c.error_message)
        .join(file_processing_jobs, file_processing_jobs.c.id == processing_job_trackers.c.processing_job_id)
        .where(processing_job_trackers.c.processing_job_id == job_id)
    ).first()
    if row is None:
        return None
    progress = row_dict(row)
    progress["job_id"] = progress.pop("processing_job_id")
    details = progress.get("step_details") or {}
    progress["steps"] = [
        {"name": s.name, "label": s.label, "start_percent": s.start, "end_percent": s.end, **details.get(s.name, {})}
        for s in STAGES
    ]
    return progress


def _results(connection: Connection, table: Table, job_id: uuid.UUID, key: str, kind: str | None, columns):
    query = select(table).where(table.c.processing_job_id == job_id).order_by(table.c[key])
    if kind:
        query = query.where(table.c[key] == kind)
    return [row_dict(r, columns) for r in connection.execute(query)]


def analytics_results(connection: Connection, job_id: uuid.UUID, analytics_type: str | None = None) -> list[dict]:
    """Each stored analytics row, its JSON sections grouped under ``detailed_results``."""
    out = []
    for result in _results(connection, analytics_processing_results, job_id, "analytics_type", analytics_type, None):
        result["detailed_results"] = {name: result.pop(name) for name in SECTIONS}
        out.append(result)
    return out


def ml_results(connection: Connection, job_id: uuid.UUID, model_type: str | None = None) -> list[dict]:
    """Each stored model row; ``detailed_results`` also carries the metrics and feature importance."""
    out = []
    for result in _results(connection, ml_model_processing_results, job_id, "model_type", model_type, None):
        detailed = dict(result.get("detailed_results") or {})
        for name in ("model_metrics", "feature_importance"):
            detailed[name] = result.get(name)
        result["detailed_results"] = detailed
        out.append(result)
    return out


def processing_summary(connection: Connection, job_id: uuid.UUID) -> dict[str, Any] | None:
    job = job_view(connection, job_id)
    if job is None:
        return None
    data_file_id = uuid.UUID(job["data_file_id"])
    analytics = _results(connection, analytics_processing_results, job_id, "analytics_type", None, _ANALYTICS_SCALARS)
    ml = _results(
        connection,
        ml_model_processing_results,
        job_id,
        "model_type",
        None,
        [c.name for c in ml_model_processing_results.c if c.name not in _ML_DETAIL],
    )
    flag_counts = connection.execute(
        select(transaction_flags.c.rule_code, func.count())
        .where(transaction_flags.c.processing_job_id == job_id)
        .group_by(transaction_flags.c.rule_code)
        .order_by(func.count().desc())
    ).all()
    rejected = connection.execute(
        select(func.count()).select_from(rejected_rows).where(rejected_rows.c.data_file_id == data_file_id)
    ).scalar_one()
    return {
        "data_file": data_file_view(connection, data_file_id),
        "job": job,
        "analytics_results": {r["analytics_type"]: r for r in analytics},
        "ml_results": {r["model_type"]: r for r in ml},
        "progress": progress_view(connection, job_id),
        "flags_by_rule": {code: count for code, count in flag_counts},
        "rejected_rows": rejected,
    }
