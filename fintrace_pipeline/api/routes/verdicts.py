"""Verdicts: recorded by reviewers on transactions or entries; read back newest per target."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.access import identity_of, requires
from fintrace_pipeline.api.errors import unavailable_when_unreachable
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.api.verdict_recording import record_requested
from fintrace_pipeline.api.verdict_requests import parse_verdicts, read_body
from fintrace_pipeline.roles import RECORD_VERDICTS


@requires(RECORD_VERDICTS)
async def record_verdicts(request: Request) -> Response:
    """Record one verdict or a list of them (all or none), each with an audit row.
    ---
    summary: Record verdicts
    requestBody:
      required: true
      content:
        application/json:
          schema: {$ref: "#/components/schemas/VerdictsRequest"}
    responses:
      201: {description: "recorded (how many) and verdicts, in the order given",
            content: {application/json: {schema: {$ref: "#/components/schemas/RecordedVerdictsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      413: {$ref: "#/components/responses/BodyTooLarge"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    requested = parse_verdicts(await read_body(request))
    engine = request.app.state.database.sync_engine
    with unavailable_when_unreachable():
        stored = await run_in_threadpool(record_requested, engine, requested, identity_of(request).name)
    return json_ok({"recorded": len(stored), "verdicts": stored}, status_code=201)


async def file_verdicts(request: Request) -> Response:
    """The newest verdict of every reviewed transaction or entry of a file, newest first.
    ---
    summary: Verdicts of a file
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/Verdict"}
      - {$ref: "#/components/parameters/History"}
      - {$ref: "#/components/parameters/Limit"}
      - {$ref: "#/components/parameters/Offset"}
    responses:
      200: {description: "counts (targets by their newest verdict), total, limit, offset and verdicts",
            content: {application/json: {schema: {$ref: "#/components/schemas/FileVerdictsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    limit, offset = params.limit_offset(query)
    verdict = params.choice(query, params.VERDICT)
    history = params.flag(query, "history")
    file_id = params.required_uuid(query, "file_id")
    counts, total, page = await reader(request).verdicts(
        file_id, verdict=verdict, history=history, limit=limit, offset=offset
    )
    return json_ok(
        {"file_id": str(file_id), "counts": counts, "total": total, "limit": limit, "offset": offset, "verdicts": page}
    )
