"""Sources: the companies, ledgers or card programmes files belong to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok


async def list_sources(request: Request) -> Response:
    """Every source with a file: file and row counts, its newest file, and its verdict counts.
    ---
    summary: List sources
    responses:
      200: {description: "sources, by name",
            content: {application/json: {schema: {$ref: "#/components/schemas/SourcesResponse"}}}}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    return json_ok({"sources": await reader(request).sources()})
