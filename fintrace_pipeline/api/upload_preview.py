"""Previewing an uploaded file: received exactly as an upload is (same limits, names and checks), read
as ingest would read it, then deleted. Nothing reaches the inbox, the archive or the database."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from fintrace_pipeline.api.errors import BadRequest
from fintrace_pipeline.api.upload import receive_upload
from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.preview import preview_file
from fintrace_pipeline.settings import Settings


async def preview_upload(request: Request, settings: Settings) -> dict[str, Any]:
    """The preview of the request's ``file`` with its optional ``mapping``; a file that cannot be read
    at all is a 400 with the reason."""
    # The folder and everything in it are removed however the request ends.
    with tempfile.TemporaryDirectory(prefix="fintrace-preview-") as folder:
        upload = await receive_upload(request, Path(folder), settings.max_upload_bytes)
        # Under its own name: the reader tells formats apart by suffix as well as by content, and
        # the preview names the file.
        path = upload.temp_path.rename(Path(folder) / upload.file_name)
        try:
            return await run_in_threadpool(
                preview_file,
                path,
                user_mapping=upload.mapping,
                max_decompressed_bytes=settings.max_decompressed_bytes,
                max_rows=settings.max_rows,
                missing_values=settings.missing_values,
            )
        except IngestError as exc:
            raise BadRequest(str(exc)) from None
