"""Downloads of a file's results as CSV or XLSX."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from fintrace_pipeline import exports
from fintrace_pipeline.api import params
from fintrace_pipeline.api.reader import reader


async def export(request: Request) -> Response:
    """Download scores, findings, duplicate groups or the trial balance of a file as CSV or XLSX.
    ---
    summary: Export results of a file
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
      - {$ref: "#/components/parameters/ExportKind"}
      - {$ref: "#/components/parameters/ExportFormat"}
    responses:
      200:
        description: "The file, as an attachment"
        content:
          text/csv: {schema: {type: string}}
          application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {schema: {type: string, format: binary}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    what = params.choice(query, params.EXPORT_KIND)
    file_format = params.choice(query, params.EXPORT_FORMAT)
    file_id, job_id = params.file_or_job(query, file_required=True)
    file_id, body = await reader(request).export(what, file_format, file_id, job_id)
    headers = {"Content-Disposition": f'attachment; filename="fintrace-{what}-{file_id}.{file_format}"'}
    media_type = exports.MEDIA_TYPES[file_format]
    if isinstance(body, bytes):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)
