"""The audit workpaper: a file's report as an XLSX workbook, one sheet per part.

Every text cell is neutralised as in exports (a vendor called ``=HYPERLINK(…)`` stays text), numbers
stay numbers, and each table sheet has a frozen header row and a filter, ready to be worked in.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fintrace_pipeline.exports import FORMULA_PREFIXES, XLSX_MAX_DATA_ROWS, neutralise_formulas
from fintrace_pipeline.jsonsafe import is_missing
from fintrace_pipeline.reports.content import FileReport

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
MAX_WIDTH = 60
NUMBER_FORMAT = "#,##0.00"


def _cell_value(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, int | float):
        return value
    return str(value)


def _fit_columns(sheet: Worksheet, widths: dict[int, int]) -> None:
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), MAX_WIDTH)


def _write_rows(sheet: Worksheet, rows: Iterable[Iterable[Any]], widths: dict[int, int]) -> None:
    for row in rows:
        values = [_cell_value(v) for v in row]
        sheet.append(values)
        for index, value in enumerate(values, start=1):
            widths[index] = max(widths.get(index, 0), len(str(value)) if value is not None else 0)
            if isinstance(value, float):
                sheet.cell(row=sheet.max_row, column=index).number_format = NUMBER_FORMAT


def _table_sheet(book: Workbook, title: str, frame: pd.DataFrame, note: str | None = None) -> None:
    sheet = book.create_sheet(title[:31])
    widths: dict[int, int] = {}
    if note:
        sheet.append([note])
        sheet.append([])
    header_row = sheet.max_row + 1 if note else 1
    safe = neutralise_formulas(frame.head(XLSX_MAX_DATA_ROWS))
    _write_rows(sheet, [list(safe.columns)], widths)
    for cell in sheet[header_row]:
        cell.font = BOLD
    _write_rows(sheet, safe.itertuples(index=False, name=None), widths)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if len(safe.columns):
        last = get_column_letter(len(safe.columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{max(sheet.max_row, header_row)}"
    _fit_columns(sheet, widths)


def _summary_sheet(book: Workbook, report: FileReport) -> None:
    sheet = book.active
    sheet.title = "Summary"
    widths: dict[int, int] = {}
    sheet.append([f"FinTrace workpaper: {_cell_value(report.file_name)}"])
    sheet["A1"].font = TITLE
    sheet.append([f"Generated {report.generated_at:%Y-%m-%d %H:%M}"])
    sheet.append([])
    _write_rows(sheet, report.facts, widths)
    for block, frame in (("Stages", report.stage_results), ("Settings used", report.settings)):
        sheet.append([])
        sheet.append([block])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
        _write_rows(sheet, [list(frame.columns)], widths)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        _write_rows(sheet, neutralise_formulas(frame).itertuples(index=False, name=None), widths)
    _fit_columns(sheet, widths)


Sheet = tuple[str, pd.DataFrame, str | None]  # title, table, a note above it (or None)


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_bytes(report: FileReport, extra_sheets: Iterable[Sheet] = ()) -> bytes:
    """The workpaper of one file; ``extra_sheets`` are appended after its own."""
    book = Workbook()
    _summary_sheet(book, report)
    units = "journal entries" if report.unit == "entry" else "transactions"
    sheets: list[Sheet] = [
        ("Findings by rule", report.findings, None),
        (f"Flagged {units}", report.flagged, f"The {len(report.flagged):,} highest-risk {units}"),
        ("Duplicate groups", report.duplicates, None),
        ("Trial balance", report.trial_balance, None),
        *extra_sheets,
    ]
    for title, frame, note in sheets:
        _table_sheet(book, title, frame, note)
    return _saved(book)


def table_workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of table sheets only."""
    book = Workbook()
    book.remove(book.active)
    for title, frame, note in sheets:
        _table_sheet(book, title, frame, note)
    return _saved(book)
