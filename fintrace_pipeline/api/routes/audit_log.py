"""The audit log, for admins: every verdict, upload and user change, newest first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.access import requires
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.db.schema import MAX_NAME_LENGTH
from fintrace_pipeline.persistence.audit import AuditFilter
from fintrace_pipeline.roles import READ_AUDIT_LOG


@requires(READ_AUDIT_LOG)
async def audit_log(request: Request) -> Response:
    """Who did what and when, from which state to which; newest first.
    ---
    summary: The audit log
    parameters:
      - {$ref: "#/components/parameters/AuditAction"}
      - {$ref: "#/components/parameters/Actor"}
      - {$ref: "#/components/parameters/Since"}
      - {$ref: "#/components/parameters/Limit"}
      - {$ref: "#/components/parameters/Offset"}
    responses:
      200: {description: "total, limit, offset and entries (at, actor, action, target_type, target_id, before, after)",
            content: {application/json: {schema: {$ref: "#/components/schemas/AuditLogResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    limit, offset = params.limit_offset(query)
    where = AuditFilter(
        action=params.choice(query, params.AUDIT_ACTION),
        actor=params.optional_text(query, "actor", max_length=MAX_NAME_LENGTH),
        since=params.optional_datetime(query, "since"),
    )
    total, entries = await reader(request).audit_log(where, limit, offset)
    return json_ok({"total": total, "limit": limit, "offset": offset, "entries": entries})
