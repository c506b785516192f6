"""Files: upload (register + PENDING job + hand-over to the inbox) and the paginated listing."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params, queries
from fintrace_pipeline.api.errors import DatabaseUnavailable, is_connection_error
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.api.routes_results import database
from fintrace_pipeline.api.upload import receive_upload
from fintrace_pipeline.api.upload_registration import register_upload
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.status import JOB_STATES, PENDING


async def upload_file(request: Request) -> Response:
    """Upload a ledger file (multipart field ``file``; optional ``mapping``: JSON canonical -> source column).
    ---
    summary: Upload a file for processing
    requestBody:
      required: true
      content:
        multipart/form-data:
          schema:
            type: object
            required: [file]
            properties:
              file: {type: string, format: binary, description: ".csv .tsv .txt .gz or .xlsx"}
              mapping: {type: string, description: 'JSON object, e.g. {"posting_date": "Date"}'}
    responses:
      201: {description: "A PENDING job the inbox sensor will run: data_file_id, job_id, file_name",
            content: {application/json: {schema: {$ref: "#/components/schemas/UploadResponse"}}}}
      200: {description: "The same bytes were uploaded before: the existing data_file_id and its latest job",
            content: {application/json: {schema: {$ref: "#/components/schemas/UploadResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      409: {$ref: "#/components/responses/Conflict"}
      413: {$ref: "#/components/responses/TooLarge"}
      415: {$ref: "#/components/responses/UnsupportedType"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    settings: Settings = request.app.state.settings
    upload = await receive_upload(request, settings.inbox_dir, settings.max_upload_bytes)
    try:
        registered = await run_in_threadpool(register_upload, settings, upload, database(request).sync_engine)
    except Exception as exc:
        if is_connection_error(exc):
            raise DatabaseUnavailable() from exc
        raise
    return json_ok(registered.answer(), status_code=201 if registered.job_created else 200)


async def list_files(request: Request) -> Response:
    """Uploaded and dropped files, newest first, each with its latest job.
    ---
    summary: List data files
    parameters:
      - {$ref: "#/components/parameters/Limit"}
      - {$ref: "#/components/parameters/Offset"}
      - {name: status, in: query, required: false,
         schema: {type: string, enum: [PENDING, RUNNING, COMPLETED, FAILED, CANCELED]},
         description: "Only files whose latest job has this status."}
    responses:
      200: {description: "total, limit, offset and files (data_file_id, file_name, row counts, latest_job_id,
                          latest_job_status, high_risk_transactions)",
            content: {application/json: {schema: {$ref: "#/components/schemas/FilesResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    limit, offset = params.limit_offset(request.query_params)
    status = request.query_params.get("status") or None
    if status is not None:
        status = params.choice(request.query_params, "status", JOB_STATES, PENDING)
    total, files = await database(request).read(queries.list_files, limit, offset, status)
    return json_ok({"total": total, "limit": limit, "offset": offset, "files": files})
