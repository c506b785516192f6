"""A file's report in the format asked for, from its job's stored results."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection

from fintrace_pipeline.export_kinds import PDF, XLSX
from fintrace_pipeline.exports import MEDIA_TYPES as EXPORT_MEDIA_TYPES
from fintrace_pipeline.reports.content import gather
from fintrace_pipeline.reports.pdf import pdf_bytes
from fintrace_pipeline.reports.workbook import workbook_bytes

MEDIA_TYPES = {XLSX: EXPORT_MEDIA_TYPES[XLSX], PDF: "application/pdf"}


def report_bytes(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID, file_format: str) -> bytes:
    report = gather(connection, data_file_id, job_id)
    if file_format == XLSX:
        return workbook_bytes(report)
    if file_format == PDF:
        return pdf_bytes(report)
    raise ValueError(f"a report is written as xlsx or pdf, not {file_format!r}")


def report_file_name(data_file_id: uuid.UUID, file_format: str) -> str:
    return f"fintrace-report-{data_file_id}.{file_format}"
