"""A file's report: the audit workpaper (XLSX) or the printable PDF."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.reports.build import MEDIA_TYPES, report_file_name


async def report(request: Request) -> Response:
    """Download the report of a file's job as an XLSX workpaper or a PDF.
    ---
    summary: Report of a file
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
      - {$ref: "#/components/parameters/ReportFormat"}
    responses:
      200:
        description: "The report, as an attachment"
        content:
          application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {schema: {type: string, format: binary}}
          application/pdf: {schema: {type: string, format: binary}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    file_format = params.choice(query, params.REPORT_FORMAT)
    file_id, job_id = params.file_or_job(query, file_required=True)
    data_file_id, body = await reader(request).report(file_id, job_id, file_format)
    headers = {"Content-Disposition": f'attachment; filename="{report_file_name(data_file_id, file_format)}"'}
    return Response(body, media_type=MEDIA_TYPES[file_format], headers=headers)
