"""History across files: a file compared with its source's earlier files, and a source's months."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.errors import BadRequest
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok


async def file_comparison(request: Request) -> Response:
    """A file against the earlier files of its source: new and reactivated vendors, first postings,
    new pairs, spend changes with their earlier months, cross-file duplicates, and the file's months
    beside the earlier ones (from its newest COMPLETED job, else its newest job).
    ---
    summary: Comparison of a file with its source's earlier files
    parameters:
      - {$ref: "#/components/parameters/FileId"}
    responses:
      200: {description: "the comparison; comparison and months are null before the file is compared",
            content: {application/json: {schema: {$ref: "#/components/schemas/FileComparisonResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    file_id = params.required_uuid(request.query_params, "file_id")
    return json_ok(await reader(request).file_comparison(file_id))


async def source_trends(request: Request) -> Response:
    """A source's months in order: lines and gross amount, the share of lines with a medium or high
    finding, and the transactions and entries whose newest verdict is confirmed; and its files' periods.
    ---
    summary: Monthly trends of a source
    parameters:
      - {$ref: "#/components/parameters/SourceName"}
    responses:
      200: {description: "the source's months and files",
            content: {application/json: {schema: {$ref: "#/components/schemas/SourceTrendsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    source = params.optional_source(request.query_params)
    if source is None:
        raise BadRequest("source is required: the name of a source (see /api/sources/)")
    return json_ok(await reader(request).source_trends(source))
