"""Files: upload (register + PENDING job + hand-over to the inbox), the preview of a file before it is
uploaded, the paginated listing, and deletion."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.access import identity_of, requires
from fintrace_pipeline.api.errors import unavailable_when_unreachable
from fintrace_pipeline.api.file_deletion import delete_data_file
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.api.upload import receive_upload
from fintrace_pipeline.api.upload_preview import preview_upload
from fintrace_pipeline.api.upload_registration import register_upload
from fintrace_pipeline.roles import DELETE_FILES, UPLOAD_FILES
from fintrace_pipeline.settings import Settings


@requires(UPLOAD_FILES)
async def upload_file(request: Request) -> Response:
    """Upload a ledger file (multipart field ``file``; optional ``mapping``: JSON canonical -> source column;
    optional calendar and limits of the file: ``country``, ``weekend_days``, ``business_hours``,
    ``approval_limits``, ``materiality``; optional ``source``: the source the file belongs to, default
    ``default``).
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
              country: {type: string, description: "ISO 3166-1 alpha-2, optionally with a subdivision: DE, DE-BY"}
              weekend_days: {type: string, description: "weekday names, comma-separated: Fri,Sat"}
              business_hours: {type: string, description: "HH:MM-HH:MM, e.g. 08:00-18:00"}
              approval_limits: {type: string, description: "amounts, comma-separated: 5000,10000"}
              materiality: {type: string, description: "an amount; findings below it are one severity lower"}
              source: {type: string, description: "the file's source (a short slug); default: default"}
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
    engine = request.app.state.database.sync_engine
    with unavailable_when_unreachable():
        registered = await run_in_threadpool(register_upload, settings, upload, engine, identity_of(request).name)
    return json_ok(registered.answer(), status_code=201 if registered.job_created else 200)


@requires(UPLOAD_FILES)
async def preview_file(request: Request) -> Response:
    """How a file would be read and mapped (as ``fintrace inspect --json``), storing nothing.
    ---
    summary: Preview a file before uploading it
    description: "The file is received with the upload's limits and checks, read (only its head), and
      deleted. The answer is what ingest would make of it with this mapping: format, header row, the
      proposed source column per canonical column with its confidence and parsed samples, unmapped
      columns, warnings, and, when a required column is missing, the problem and a mapping to try. A
      blank source column in the mapping leaves that canonical column unmapped."
    requestBody:
      required: true
      content:
        multipart/form-data:
          schema:
            type: object
            required: [file]
            properties:
              file: {type: string, format: binary, description: ".csv .tsv .txt .gz or .xlsx"}
              mapping: {type: string, description: 'JSON object, e.g. {"amount": "Betrag", "vendor": ""}'}
    responses:
      200: {description: "The preview; nothing is stored",
            content: {application/json: {schema: {$ref: "#/components/schemas/PreviewResponse"}}}}
      400: {description: "A malformed body or mapping, or a file that cannot be read at all (the reason)",
            content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      413: {$ref: "#/components/responses/TooLarge"}
      415: {$ref: "#/components/responses/UnsupportedType"}
    """
    settings: Settings = request.app.state.settings
    return json_ok(await preview_upload(request, settings))


async def list_files(request: Request) -> Response:
    """Uploaded and dropped files, newest first, each with its latest job.
    ---
    summary: List data files
    parameters:
      - {$ref: "#/components/parameters/Limit"}
      - {$ref: "#/components/parameters/Offset"}
      - {$ref: "#/components/parameters/LatestJobStatus"}
      - {$ref: "#/components/parameters/Source"}
      - {$ref: "#/components/parameters/FileSearch"}
    responses:
      200: {description: "total, limit, offset and files (data_file_id, file_name, source, received_via,
                          row counts, latest_job_id, latest_job_status, high_risk_transactions)",
            content: {application/json: {schema: {$ref: "#/components/schemas/FilesResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    limit, offset = params.limit_offset(request.query_params)
    status = params.choice(request.query_params, params.LATEST_JOB_STATUS)
    source = params.optional_source(request.query_params)
    search = params.optional_text(request.query_params, "search", max_length=params.MAX_SEARCH_LENGTH)
    total, files = await reader(request).files(limit, offset, status, source, search)
    return json_ok({"total": total, "limit": limit, "offset": offset, "files": files})


@requires(DELETE_FILES)
async def delete_file(request: Request) -> Response:
    """Delete a data file with everything stored about it.
    ---
    summary: Delete a data file
    description: "Removes the file's jobs, trackers, results, findings, scores, transactions, rejected
      rows and verdicts, its Dagster partition and its archived original (kept when another file
      refers to the same bytes). The audit log keeps its rows about the file and records the deletion.
      A file whose run is writing results now is refused with 409."
    parameters:
      - {name: data_file_id, in: path, required: true, schema: {type: string, format: uuid},
         description: "The data file (data_file_id of the upload or listing)."}
    responses:
      200: {description: "What was deleted",
            content: {application/json: {schema: {$ref: "#/components/schemas/FileDeletedResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      409: {description: "The file is being processed now",
            content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    data_file_id = params.required_uuid(request.path_params, "data_file_id")
    settings: Settings = request.app.state.settings
    engine = request.app.state.database.sync_engine
    with unavailable_when_unreachable():
        deleted = await run_in_threadpool(delete_data_file, settings, engine, data_file_id, identity_of(request).name)
    return json_ok(deleted)
