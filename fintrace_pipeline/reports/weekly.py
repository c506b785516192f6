"""The weekly report of a source: one workbook over the files whose processing completed that week.

It lists the week's files with their counts, the findings by rule across them, and each file's
highest-risk entries or transactions, so a reviewer sees the week of a source in one place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, select

from fintrace_pipeline.db.schema import data_files, file_processing_jobs
from fintrace_pipeline.reports.content import FileReport, gather
from fintrace_pipeline.reports.workbook import table_workbook_bytes
from fintrace_pipeline.status import COMPLETED

WEEK = timedelta(days=7)
TOP_PER_FILE = 25
FILE_FACTS = ("File", "SHA-256", "Rows read", "Rows loaded", "Rows rejected", "Processing job", "Completed")


@dataclass(frozen=True)
class CompletedFile:
    source: str
    data_file_id: uuid.UUID
    job_id: uuid.UUID


def completed_in(connection: Connection, start: datetime, end: datetime) -> list[CompletedFile]:
    """Each file's newest job that completed in [start, end), by source and completion time."""
    j, f = file_processing_jobs, data_files
    rows = connection.execute(
        select(f.c.source, j.c.data_file_id, j.c.id, j.c.completed_at)
        .select_from(j.join(f, f.c.id == j.c.data_file_id))
        .where(j.c.status == COMPLETED, j.c.completed_at >= start, j.c.completed_at < end)
        .order_by(f.c.source, j.c.completed_at)
    ).all()
    newest: dict[uuid.UUID, CompletedFile] = {}
    for source, data_file_id, job_id, _ in rows:
        newest[data_file_id] = CompletedFile(source, data_file_id, job_id)  # later completions win
    return list(newest.values())


def _files_sheet(reports: list[FileReport]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                **{label: value for label, value in report.facts if label in FILE_FACTS},
                "flagged lines": int(report.findings["lines"].sum()) if len(report.findings) else 0,
                "high findings": int(report.findings["high"].sum()) if len(report.findings) else 0,
            }
            for report in reports
        ]
    )


def _findings_sheet(reports: list[FileReport]) -> pd.DataFrame:
    frames = [r.findings for r in reports if len(r.findings)]
    if not frames:
        return pd.DataFrame(columns=["rule_code", "title", "high", "medium", "low", "findings", "files"])
    stacked = pd.concat([f.assign(files=1) for f in frames])
    summed = stacked.groupby(["rule_code", "title"], as_index=False)[["high", "medium", "low", "findings", "files"]]
    return summed.sum().sort_values(["high", "medium", "findings"], ascending=False)


def _top_sheet(reports: list[FileReport]) -> pd.DataFrame:
    frames = [r.flagged.head(TOP_PER_FILE).assign(file=r.file_name) for r in reports]
    frames = [f[["file", *[c for c in f.columns if c != "file"]]] for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["file"])


def week_label(end: datetime) -> str:
    year, week, _ = (end - timedelta(days=1)).isocalendar()
    return f"{year}-W{week:02d}"


def write_weekly_reports(engine: Engine, reports_dir: Path, end: datetime) -> list[Path]:
    """One workbook per source with files completed in the week before ``end``; the paths written."""
    with engine.connect() as connection:
        completed = completed_in(connection, end - WEEK, end)
        by_source: dict[str, list[FileReport]] = {}
        for item in completed:
            by_source.setdefault(item.source, []).append(gather(connection, item.data_file_id, item.job_id))
    written = []
    for source, reports in by_source.items():
        path = reports_dir / source / f"{week_label(end)}.xlsx"  # sources are slugs, safe as folder names
        path.parent.mkdir(parents=True, exist_ok=True)
        sheets = [
            ("Files", _files_sheet(reports), f"Files of {source} completed {end - WEEK:%Y-%m-%d} to {end:%Y-%m-%d}"),
            ("Findings by rule", _findings_sheet(reports), None),
            ("Top flagged", _top_sheet(reports), f"The {TOP_PER_FILE} highest-risk items of each file"),
        ]
        path.write_bytes(table_workbook_bytes(sheets))
        written.append(path)
    return written
