"""What an upload becomes: a data file with a job the inbox sensor will run, or the file known already.

Same bytes as a registered file:
- with no mapping, or the one it already has: the existing file and its latest job (nothing runs
  again), unless it has no job at all, in which case it is handed over like a new file;
- with a different mapping, while a job has used (or is about to use) the old one (PENDING,
  RUNNING or COMPLETED): refused with 409, so stored results never disagree with the stored mapping;
- with a different mapping when every earlier job FAILED or was CANCELED: the mapping is replaced
  and the file processed again with it (the usual fix for a wrong mapping).
The file's own calendar and limits (country, weekend days, business hours, approval limits,
materiality) are treated the same way: given and different from the stored ones, they conflict with
results computed with those, or replace them when no job has such results.
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
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file, set_analysis_choices, set_user_mapping
from fintrace_pipeline.settings import Settings
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


def register_upload(settings: Settings, upload: ReceivedUpload, engine: Engine) -> Registered:
    """Register the received file and, when it needs processing, create its job and hand it over.

    The temporary file is always gone afterwards: moved into the inbox or dropped.
    """
    try:
        data_file, is_new = register_file(
            engine,
            upload.temp_path,
            source="upload",
            archive_dir=settings.archive_dir,
            file_name=upload.file_name,
            user_mapping=upload.mapping,
            country=upload.choices.country,
            analysis_options=upload.choices.options(set_by="file"),
        )
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
    finally:
        Path(upload.temp_path).unlink(missing_ok=True)


def _hand_over(settings: Settings, engine: Engine, data_file_id: uuid.UUID, upload: ReceivedUpload) -> Registered:
    """A PENDING job, then the file renamed into the inbox.

    Order matters: the job exists before the file becomes visible, so the inbox sensor finds that
    job and runs it instead of creating its own.
    """
    job = jobs.create_job(engine, data_file_id, trigger="upload")
    final_path = settings.inbox_dir / f"{data_file_id.hex[:12]}-{upload.file_name}"
    os.replace(upload.temp_path, final_path)  # atomic: the sensor sees a complete file or none
    return Registered(data_file_id, job.id, upload.file_name, job_created=True)
