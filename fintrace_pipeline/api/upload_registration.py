"""What an upload becomes: a data file with a job the inbox sensor will run, or the file known already.

Same bytes as a registered file:
- with no mapping, or the one it already has: the existing file and its latest job (nothing runs
  again), unless it has no job at all, in which case it is handed over like a new file;
- with a different mapping, while a job has used (or is about to use) the old one (PENDING,
  RUNNING or COMPLETED): refused with 409, so stored results never disagree with the stored mapping;
- with a different mapping when every earlier job FAILED or was CANCELED: the mapping is replaced
  and the file processed again with it (the usual fix for a wrong mapping);
- naming another source than the file's: refused with 409 (a file belongs to one source).
The file's own calendar and limits (country, weekend days, business hours, approval limits,
materiality) are treated the same way as a mapping: given and different from the stored ones, they
conflict with results computed with those, or replace them when no job has such results.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from fintrace_pipeline.analysis_choices import Choices
from fintrace_pipeline.api.errors import ApiError
from fintrace_pipeline.api.upload import ReceivedUpload
from fintrace_pipeline.persistence import audit, jobs
from fintrace_pipeline.persistence.files import (
    SourceConflict,
    get_data_file,
    register_file,
    require_source,
    set_analysis_choices,
    set_user_mapping,
)
from fintrace_pipeline.persistence.records import DataFile
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.sources import DEFAULT_SOURCE
from fintrace_pipeline.status import COMPLETED, PENDING, RUNNING

USES_ITS_MAPPING = (PENDING, RUNNING, COMPLETED)


@dataclass(frozen=True)
class Registered:
    data_file_id: uuid.UUID
    job_id: uuid.UUID
    file_name: str
    job_created: bool

    def answer(self) -> dict[str, str]:
        return {"data_file_id": str(self.data_file_id), "job_id": str(self.job_id), "file_name": self.file_name}


class MappingConflict(ApiError):
    def __init__(self, data_file_id: uuid.UUID, what: str = "mapping"):
        super().__init__(
            409,
            f"these bytes were uploaded before as data file {data_file_id}, whose results use a different "
            f"{what}; upload without a {what} to get that file",
        )


def register_upload(settings: Settings, upload: ReceivedUpload, engine: Engine, actor: str) -> Registered:
    """Register the received file and, when it needs processing, create its job and hand it over;
    then record the upload in the audit log under ``actor``.

    The temporary file is always gone afterwards: moved into the inbox or dropped.
    """
    try:
        data_file, is_new = register_file(
            engine,
            upload.temp_path,
            received_via="upload",
            archive_dir=settings.archive_dir,
            source=upload.source or DEFAULT_SOURCE,
            file_name=upload.file_name,
            user_mapping=upload.mapping,
            country=upload.choices.country,
            analysis_options=upload.choices.options(set_by="file"),
        )
        try:
            require_source(data_file, upload.source)
        except SourceConflict as exc:
            raise ApiError(409, str(exc)) from None
        registered = _outcome(settings, engine, upload, data_file, is_new)
    finally:
        Path(upload.temp_path).unlink(missing_ok=True)
    _record_upload(engine, actor, data_file, is_new, registered)
    return registered


def _outcome(
    settings: Settings, engine: Engine, upload: ReceivedUpload, data_file: DataFile, is_new: bool
) -> Registered:
    if is_new:
        return _hand_over(settings, engine, data_file.id, upload)
    mapping_differs = upload.mapping is not None and upload.mapping != data_file.user_mapping
    choices = (upload.choices.country, upload.choices.options(set_by="file") or None)
    choices_differ = upload.choices != Choices() and choices != (data_file.country, data_file.analysis_options)
    with engine.connect() as connection:
        latest = jobs.latest_job(connection, data_file.id)
        mapping_in_use = jobs.has_job_in(connection, data_file.id, USES_ITS_MAPPING)
    if mapping_differs or choices_differ:
        if mapping_in_use:
            raise MappingConflict(data_file.id, "mapping" if mapping_differs else "calendar or limits")
        if mapping_differs:
            set_user_mapping(engine, data_file.id, upload.mapping)
        if choices_differ:
            set_analysis_choices(engine, data_file.id, *choices)
        return _hand_over(settings, engine, data_file.id, upload)
    if latest is None:
        return _hand_over(settings, engine, data_file.id, upload)
    return Registered(data_file.id, latest.id, data_file.file_name, job_created=False)


def _record_upload(engine: Engine, actor: str, data_file: DataFile, is_new: bool, registered: Registered) -> None:
    """The upload's audit row: the file as it was (none when new) -> as it is now, with its job."""
    with engine.begin() as connection:
        now = get_data_file(connection, data_file.id)
        after = {**_state(now), "job_id": registered.job_id, "job_created": registered.job_created}
        before = None if is_new else _state(data_file)
        entry = audit.AuditEntry(actor, audit.FILE_UPLOAD, "data_file", str(data_file.id), before, after)
        audit.record(connection, entry)


def _state(data_file: DataFile) -> dict:
    return {
        "file_name": data_file.file_name,
        "source": data_file.source,
        "user_mapping": data_file.user_mapping,
        "country": data_file.country,
        "analysis_options": data_file.analysis_options,
    }


def _hand_over(settings: Settings, engine: Engine, data_file_id: uuid.UUID, upload: ReceivedUpload) -> Registered:
    """A PENDING job, then the file renamed into the inbox.

    Order matters: the job exists before the file becomes visible, so the inbox sensor finds that
    job and runs it instead of creating its own.
    """
    job = jobs.create_job(engine, data_file_id, trigger="upload")
    final_path = settings.inbox_dir / f"{data_file_id.hex[:12]}-{upload.file_name}"
    os.replace(upload.temp_path, final_path)  # atomic: the sensor sees a complete file or none
    return Registered(data_file_id, job.id, upload.file_name, job_created=True)
