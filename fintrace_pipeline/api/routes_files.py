"""Files: upload (register + PENDING job + hand-over to the inbox) and the paginated listing."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params, queries
from fintrace_pipeline.api.errors import DatabaseUnavailable, is_connection_error
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.api.routes_results import database
from fintrace_pipeline.api.upload import ReceivedUpload, receive_upload
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.progress import CANCELED, COMPLETED, FAILED, PENDING, RUNNING
from fintrace_pipeline.settings import Settings

JOB_STATUSES = (PENDING, RUNNING, COMPLETED, FAILED, CANCELED)


def _register_and_hand_over(settings: Settings, upload: ReceivedUpload, engine) -> tuple[dict, bool]:
    """Register the received file; a new one gets a PENDING job and is renamed into the inbox.

    Order matters: the job exists before the file becomes visible, so the inbox sensor finds that
    job and runs it instead of creating its own. A byte-identical re-upload is answered from the
    existing rows and its bytes are dropped.
    """
    try:
        data_file, is_new = register_file(
            engine,
            upload.temp_path,
            source="upload",
            archive_dir=settings.archive_dir,
            file_name=upload.file_name,
            user_mapping=upload.mapping,
        )
        if not is_new:
            with engine.connect() as connection:
                job = jobs.latest_job(connection, data_file.id)
            if job is None:
                job = jobs.create_job(engine, data_file.id, trigger="upload")
            return _upload_answer(data_file.id, job.id, data_file.file_name), False
        job = jobs.create_job(engine, data_file.id, trigger="upload")
        final_path = settings.inbox_dir / f"{data_file.id.hex[:12]}-{upload.file_name}"
        os.replace(upload.temp_path, final_path)  # atomic: the sensor sees a complete file or none
        return _upload_answer(data_file.id, job.id, upload.file_name), True
    finally:
        Path(upload.temp_path).unlink(missing_ok=True)


def _upload_answer(data_file_id, job_id, file_name: str) -> dict:
    return {"data_file_id": str(data_file_id), "job_id": str(job_id), "file_name": file_name}


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
      201: {description: "Registered: data_file_id, job_id (PENDING), file_name",
            content: {application/json: {schema: {$ref: "#/components/schemas/Success"}}}}
      200: {description: "The same bytes were uploaded before: the existing data_file_id and its latest job",
            content: {application/json: {schema: {$ref: "#/components/schemas/Success"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      413: {$ref: "#/components/responses/Error"}
      415: {$ref: "#/components/responses/Error"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    settings: Settings = request.app.state.settings
    upload = await receive_upload(request, settings.inbox_dir, settings.max_upload_bytes)
    try:
        answer, created = await run_in_threadpool(
            _register_and_hand_over, settings, upload, database(request).sync_engine
        )
    except Exception as exc:
        if is_connection_error(exc):
            raise DatabaseUnavailable() from exc
        raise
    return json_ok(answer, status_code=201 if created else 200)


async def list_files(request: Request) -> Response:
    """Uploaded and dropped files, newest first, each with its latest job.
    ---
    summary: List data files
    parameters:
      - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 1000, default: 50}}
      - {name: offset, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 10000000, default: 0}}
      - {name: status, in: query, required: false,
         schema: {type: string, enum: [PENDING, RUNNING, COMPLETED, FAILED, CANCELED]},
         description: "Only files whose latest job has this status."}
    responses:
      200: {description: "total, limit, offset and files (data_file_id, file_name, row counts, latest_job_id,
                          latest_job_status, high_risk_transactions)",
            content: {application/json: {schema: {$ref: "#/components/schemas/Success"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    limit, offset = params.limit_offset(request.query_params)
    status = request.query_params.get("status") or None
    if status is not None:
        status = params.choice(request.query_params, "status", JOB_STATUSES, PENDING)
    total, files = await database(request).read(queries.list_files, limit, offset, status)
    return json_ok({"total": total, "limit": limit, "offset": offset, "files": files})
