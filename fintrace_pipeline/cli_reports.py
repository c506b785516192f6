"""``fintrace report``: a processed file's audit workpaper (XLSX) or printable report (PDF)."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from fintrace_pipeline.export_kinds import REPORT_FORMATS
from fintrace_pipeline.settings import get_settings


def cmd_report(args) -> int:
    from fintrace_pipeline.api.queries import resolve_job
    from fintrace_pipeline.db.engine import get_engine
    from fintrace_pipeline.reports.build import report_bytes

    out = Path(args.out)
    file_format = out.suffix.lower().lstrip(".")
    if file_format not in REPORT_FORMATS:
        raise ValueError(f"--out must end in {' or '.join('.' + f for f in REPORT_FORMATS)}, not {out.name!r}")
    with get_engine(get_settings().database_url).connect() as connection:
        data_file_id, job_id = resolve_job(connection, uuid.UUID(args.file_id), None)
        body = report_bytes(connection, data_file_id, job_id, file_format)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    print(f"wrote the {file_format} report of job {job_id} to {out} ({len(body):,} bytes)")
    return 0


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="write a processed file's workpaper (.xlsx) or report (.pdf)")
    report.add_argument("--file-id", required=True)
    report.add_argument("--out", required=True, help="X.xlsx (audit workpaper) or X.pdf (printable report)")
    report.set_defaults(handler=cmd_report)
