"""Liveness/readiness and the OpenAPI document (both open even when a token is required)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fintrace_pipeline.api.errors import DatabaseUnavailable
from fintrace_pipeline.api.reader import reader


async def healthz(request: Request) -> Response:
    """Whether the API can reach its database.
    ---
    summary: Health check
    responses:
      200: {description: 'status "ok"',
            content: {application/json: {schema: {$ref: "#/components/schemas/HealthResponse"}}}}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    try:
        await reader(request).ping()
    except DatabaseUnavailable as exc:
        return JSONResponse({"success": False, "status": "unavailable", "error": exc.message}, status_code=503)
    return JSONResponse({"success": True, "status": "ok"})


async def ping(_request: Request) -> Response:
    """A constant answer without the database: the baseline for the API's own overhead.
    ---
    summary: Ping
    responses:
      200: {description: "pong", content: {application/json: {schema: {$ref: "#/components/schemas/PingResponse"}}}}
    """
    return JSONResponse({"success": True, "ping": "pong"})


async def openapi(request: Request) -> Response:
    # Built once, when the app is created, from the route table.
    return JSONResponse(request.app.state.openapi)
