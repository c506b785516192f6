"""PostgreSQL hot paths: the polled endpoints' queries sent straight to the asyncpg connection.

SQLAlchemy's async execution layer costs more per query than the query itself on these tiny,
indexed lookups; the progress poll and the summary's freshness check run here instead, as plain
SQL on asyncpg connections (see ``driver_pool``), and the progress object is serialised by
PostgreSQL itself. The answers equal the generic (SQLite) path's; a test compares the two on
PostgreSQL. (Numbers may be written without a trailing ".0": the same JSON values.)
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import DateTime

from fintrace_pipeline.db.schema import processing_job_trackers
from fintrace_pipeline.stages import STAGES


def _iso(expression: str) -> str:
    """A timestamp as Python's ``isoformat()`` writes it (fraction only when non-zero, six digits)."""
    return (
        f"CASE WHEN {expression} IS NULL THEN NULL ELSE to_char({expression}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_part('microseconds', {expression})::bigint % 1000000 = 0 THEN '' "
        f"ELSE to_char({expression}, '.US') END END"
    )


def _progress_sql() -> str:
    """The whole progress object built by PostgreSQL, keys and values as ``views.progress_view`` has them."""
    pairs = []
    for column in processing_job_trackers.c:
        if column.name == "processing_job_id":
            continue
        value = _iso(f"t.{column.name}") if isinstance(column.type, DateTime) else f"t.{column.name}"
        pairs.append(f"'{column.name}', {value}")
    pairs += ["'status', j.status", "'error_message', j.error_message", "'job_id', t.processing_job_id"]
    steps = ", ".join(
        f"jsonb_build_object('name', '{s.name}', 'label', '{s.label}', 'start_percent', {s.start:g}, "
        f"'end_percent', {s.end:g}) || coalesce(t.step_details -> '{s.name}', '{{}}'::jsonb)"
        for s in STAGES
    )
    pairs.append(f"'steps', jsonb_build_array({steps})")
    return (
        f"SELECT json_build_object({', '.join(pairs)})::text FROM processing_job_trackers t "
        "JOIN file_processing_jobs j ON j.id = t.processing_job_id WHERE t.processing_job_id = $1"
    )


PROGRESS_SQL = _progress_sql()

# The job a request means plus everything whose change must refresh a cached summary. For a file:
# its newest COMPLETED job, else its newest (the same choice as queries.resolve_job).
_JOB_STATE = """
SELECT j.id, j.data_file_id, j.status, j.updated_at AS job_updated, df.updated_at AS file_updated,
       t.updated_at AS tracker_updated,
       (SELECT count(*) || '/' || coalesce(max(a.updated_at)::text, '')
          FROM analytics_processing_results a WHERE a.processing_job_id = j.id) AS analytics_state,
       (SELECT count(*) || '/' || coalesce(max(m.updated_at)::text, '')
          FROM ml_model_processing_results m WHERE m.processing_job_id = j.id) AS ml_state
FROM file_processing_jobs j
JOIN data_files df ON df.id = j.data_file_id
LEFT JOIN processing_job_trackers t ON t.processing_job_id = j.id
"""
JOB_STATE_BY_JOB_SQL = _JOB_STATE + "WHERE j.id = $1"
JOB_STATE_BY_FILE_SQL = (
    _JOB_STATE
    + """WHERE j.data_file_id = $1
ORDER BY (j.status = 'COMPLETED') DESC, j.created_at DESC, j.id LIMIT 1"""
)


async def progress_json(driver_connection: Any, job_id: uuid.UUID) -> str | None:
    """The serialised progress object of a job (the most polled endpoint: no row shaping in Python)."""
    return await driver_connection.fetchval(PROGRESS_SQL, job_id)


async def job_state(driver_connection: Any, file_id: uuid.UUID | None, job_id: uuid.UUID | None) -> tuple | None:
    """(data_file_id, job_id, freshness token) of the job a request names, or None."""
    if job_id is not None:
        record = await driver_connection.fetchrow(JOB_STATE_BY_JOB_SQL, job_id)
        if record is not None and file_id is not None and record["data_file_id"] != file_id:
            return None
    else:
        record = await driver_connection.fetchrow(JOB_STATE_BY_FILE_SQL, file_id)
    if record is None:
        return None
    token = tuple(
        str(record[k])
        for k in ("status", "job_updated", "file_updated", "tracker_updated", "analytics_state", "ml_state")
    )
    return uuid.UUID(str(record["data_file_id"])), uuid.UUID(str(record["id"])), token


# Every request is authenticated: the two lookups of ``persistence.users`` that it takes, here too.
ANY_USER_SQL = "SELECT EXISTS (SELECT 1 FROM users)"
TOKEN_HOLDER_SQL = "SELECT name, role FROM users WHERE token_hash = $1 AND revoked_at IS NULL"


async def any_user_exists(driver_connection: Any) -> bool:
    return await driver_connection.fetchval(ANY_USER_SQL)


async def active_user_by_token_hash(driver_connection: Any, token_hash: str) -> tuple[str, str] | None:
    record = await driver_connection.fetchrow(TOKEN_HOLDER_SQL, token_hash)
    return (record["name"], record["role"]) if record is not None else None
