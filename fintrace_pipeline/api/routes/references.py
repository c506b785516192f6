"""Reference lists: a source's vendor master and employee list, uploaded by reviewers, every version kept."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.access import identity_of, requires
from fintrace_pipeline.api.errors import BadRequest, unavailable_when_unreachable
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.api.upload import ReceivedUpload, receive_upload
from fintrace_pipeline.ingest import IngestError
from fintrace_pipeline.ingest.reference_lists import KINDS
from fintrace_pipeline.persistence.references import list_reference_lists
from fintrace_pipeline.reference_import import add_reference_list
from fintrace_pipeline.roles import UPLOAD_REFERENCES
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.sources import DEFAULT_SOURCE


@requires(UPLOAD_REFERENCES)
async def upload_reference_list(request: Request) -> Response:
    """Add a new version of a source's vendor master or employee list (multipart field ``file``;
    ``kind``: vendor_master or employees; optional ``source``, default ``default``; optional
    ``mapping``: JSON column -> source header, columns name, id, address, bank_account, tax_id,
    added_date).
    ---
    summary: Upload a reference list
    requestBody:
      required: true
      content:
        multipart/form-data:
          schema:
            type: object
            required: [file, kind]
            properties:
              file: {type: string, format: binary, description: ".csv .tsv .txt .gz or .xlsx"}
              kind: {type: string, enum: [vendor_master, employees]}
              source: {type: string, description: "the source the list belongs to (a short slug); default: default"}
              mapping: {type: string, description: 'JSON object, e.g. {"name": "Firma", "tax_id": "NIP"}'}
    responses:
      201: {description: "The stored version: id, source, kind, version, file_name, sha256, uploaded_at,
                          uploaded_by, rows, rows_rejected, column_mapping, notes, warnings",
            content: {application/json: {schema: {type: object}}}}
      400: {description: "A malformed body, an unknown kind or source, or a file that cannot be read (the
                          reason, the closest columns and a mapping to try)",
            content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      413: {$ref: "#/components/responses/TooLarge"}
      415: {$ref: "#/components/responses/UnsupportedType"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    settings: Settings = request.app.state.settings
    upload = await receive_upload(request, settings.inbox_dir, settings.max_upload_bytes)
    try:
        if upload.kind not in KINDS:
            raise BadRequest(f"kind must be one of {', '.join(KINDS)}; got {upload.kind!r}")
        engine = request.app.state.database.sync_engine
        with unavailable_when_unreachable():
            stored = await run_in_threadpool(_store, engine, settings, upload, identity_of(request).name)
    finally:
        upload.temp_path.unlink(missing_ok=True)
    return json_ok(stored, status_code=201)


def _store(engine, settings: Settings, upload: ReceivedUpload, uploaded_by: str) -> dict:
    try:
        return add_reference_list(
            engine,
            settings,
            upload.temp_path,
            kind=upload.kind,
            source=upload.source or DEFAULT_SOURCE,
            file_name=upload.file_name,
            user_mapping=upload.mapping,
            uploaded_by=uploaded_by,
        )
    except IngestError as exc:
        raise BadRequest(f"{upload.file_name}: {exc}") from None


async def reference_lists(request: Request) -> Response:
    """Every version of every reference list (of one source), by source and kind, newest version first.
    ---
    summary: List reference lists
    parameters:
      - {$ref: "#/components/parameters/Source"}
    responses:
      200: {description: "references: id, source, kind, version, file_name, sha256, uploaded_at, uploaded_by,
                          rows, rows_rejected, column_mapping",
            content: {application/json: {schema: {type: object}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    source = params.optional_source(request.query_params)
    engine = request.app.state.database.sync_engine

    def read() -> list[dict]:
        with engine.connect() as connection:
            return list_reference_lists(connection, source)

    with unavailable_when_unreachable():
        found = await run_in_threadpool(read)
    return json_ok({"references": found})
