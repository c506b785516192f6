"""A file's report in the format asked for, from its job's stored results."""

from __future__ import annotations

import uuid

import pandas as pd
from sqlalchemy import Connection

from fintrace_pipeline.analytics.sampling import SamplingError, SamplingOptions
from fintrace_pipeline.export_kinds import PDF, XLSX
from fintrace_pipeline.exports import MEDIA_TYPES as EXPORT_MEDIA_TYPES
from fintrace_pipeline.reports.content import gather
from fintrace_pipeline.reports.pdf import pdf_bytes
from fintrace_pipeline.reports.workbook import Sheet, workbook_bytes
from fintrace_pipeline.sample_file import NoSuchFile, sample_of_file

MEDIA_TYPES = {XLSX: EXPORT_MEDIA_TYPES[XLSX], PDF: "application/pdf"}
# The workpaper's monetary unit sample; `fintrace sample` draws others (size, confidence, seed).
WORKPAPER_SAMPLE = SamplingOptions(size=25, seed=0)


def sample_sheet(connection: Connection, data_file_id: uuid.UUID) -> Sheet:
    """The MUS sample as a sheet: its items, under the steps that re-perform it."""
    try:
        sample = sample_of_file(connection, data_file_id, WORKPAPER_SAMPLE)
    except (SamplingError, NoSuchFile) as exc:  # nothing to sample, or rows stored without an ingest record
        return "MUS sample", pd.DataFrame(), f"No sample: {exc}"
    return "MUS sample", pd.DataFrame(sample["items"]), sample["reperform"]


def report_bytes(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID, file_format: str) -> bytes:
    report = gather(connection, data_file_id, job_id)
    if file_format == XLSX:
        return workbook_bytes(report, [sample_sheet(connection, data_file_id)])
    if file_format == PDF:
        return pdf_bytes(report)
    raise ValueError(f"a report is written as xlsx or pdf, not {file_format!r}")


def report_file_name(data_file_id: uuid.UUID, file_format: str) -> str:
    return f"fintrace-report-{data_file_id}.{file_format}"
