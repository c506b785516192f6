"""Reading Excel and OpenDocument workbooks (.xlsx, .xlsm, .xls, .ods) with python-calamine.

The table is the first sheet whose header row (searched below title rows) names a date and an
amount; later sheets whose header row starts with the same names continue it (one sheet per month,
say), so their rows are appended in sheet order. Other sheets are listed in the notes and not read.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

import pandas as pd

from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.headers import find_header_row, unique_headers
from fintrace_pipeline.ingest.raw_table import HEADER_SEARCH_ROWS, RawTable, assemble

_ZIP_MAGIC = b"PK\x03\x04"
_MAX_SHEET_NAMES = 255


def read_workbook(
    data: bytes,
    user_mapping: dict[str, str] | None,
    max_decompressed_bytes: int,
    max_rows: int,
    sample_rows: int | None = None,
) -> RawTable:
    from python_calamine import CalamineWorkbook  # imported here: only workbooks pay for it

    file_format = _check_zip(data, max_decompressed_bytes) if data.startswith(_ZIP_MAGIC) else "xls"
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for a broken or locked file
        raise IngestError(f"the file is not a valid workbook (.xlsx, .xls, .ods): {_reason(exc)}") from None
    try:
        table = _read_book(book, user_mapping, max_rows, sample_rows)
    finally:
        book.close()
    table.file_format = file_format
    return table


def _check_zip(data: bytes, limit: int) -> str:
    """The workbook format of a zip package, after refusing a zip bomb: the declared sizes of its
    members are added up before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise IngestError("the file is not a valid workbook (.xlsx, .ods): it is not a readable zip archive") from None
    expanded = sum(info.file_size for info in members)
    if expanded > limit:
        raise IngestError(f"the workbook expands to {expanded:,} bytes, more than the limit of {limit:,}")
    names = {info.filename for info in members}
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise IngestError("the file is not a valid workbook (.xlsx, .ods): the zip archive holds no spreadsheet")


def _read_book(book, user_mapping: dict[str, str] | None, max_rows: int, sample_rows: int | None) -> RawTable:
    chosen: list[tuple[str, int, list[list[str]]]] = []  # sheet name, header index, rows as text
    header_key: tuple[str, ...] | None = None
    fallback = None
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        head = _texts(_rows(sheet, HEADER_SEARCH_ROWS))
        index = find_header_row(head, user_mapping)
        if index is None:
            if fallback is None and not chosen:
                first = next((i for i, row in enumerate(head) if any(c.strip() for c in row)), None)
                fallback = (name, first, head) if first is not None else None
            continue
        key = _header_key(head[index])
        if header_key is None:
            header_key = key
        elif key[: len(header_key)] != header_key:
            continue  # a different table; a sheet that only adds columns on the right continues this one
        limit = None if sample_rows is None else index + 1 + sample_rows
        chosen.append((name, index, head if limit is not None and limit <= len(head) else _texts(_rows(sheet, limit))))
        if sample_rows is not None:
            break
    if not chosen:
        if fallback is None:
            raise IngestError("the workbook is empty: no sheet holds any cells")
        chosen = [fallback]
    return _table(chosen, book.sheet_names, max_rows, sample_rows)


def _table(chosen, sheet_names: Sequence[str], max_rows: int, sample_rows: int | None) -> RawTable:
    first_name, first_index, first_rows = chosen[0]
    header_cells = first_rows[first_index]
    width = max((i + 1 for i, c in enumerate(header_cells) if c.strip()), default=len(header_cells))
    headers = unique_headers(header_cells[:width])
    body: list[list[str]] = []
    overflow = 0
    for _, index, rows in chosen:
        for row in rows[index + 1 :]:
            cells = row[:width] + [""] * (width - len(row))
            if any(c.strip() for c in row[width:]):
                overflow += 1
            body.append(cells)
        if sum(1 for r in body if any(c.strip() for c in r)) > max_rows:
            raise IngestError(f"the file has more than {max_rows:,} data rows, the limit")
    if sample_rows is not None:
        body = body[:sample_rows]
    frame = (
        pd.DataFrame(body, columns=headers, dtype="string")
        if body
        else pd.DataFrame({h: pd.Series(dtype="string") for h in headers})
    )
    table = assemble(headers, frame, [])
    names = [name for name, _, _ in chosen]
    table.sheet_name = ", ".join(names)[:_MAX_SHEET_NAMES]
    table.header_row = first_index + 1
    if len(names) > 1:
        table.notes.append(f"read {len(names)} sheets with the same header row: {', '.join(names)}")
    others = [n for n in sheet_names if n not in names]
    if others:
        table.notes.append(
            f"read sheet(s) {', '.join(repr(n) for n in names)}; other sheets not read: {', '.join(others)}"
        )
    if first_index:
        table.notes.append(f"skipped {first_index} row(s) above the header row")
    if overflow:
        table.notes.append(f"{overflow} row(s) had cells to the right of the last header; those cells were ignored")
    return table


def _rows(sheet, limit: int | None) -> list[list[object]]:
    # skip_empty_area=False keeps leading empty rows and columns, so row and column positions are the sheet's.
    return (
        sheet.to_python(skip_empty_area=False, nrows=limit)
        if limit is not None
        else sheet.to_python(skip_empty_area=False)
    )


def _texts(rows: list[list[object]]) -> list[list[str]]:
    return [[cell_text(v) for v in row] for row in rows]


def _header_key(cells: Sequence[str]) -> tuple[str, ...]:
    named = [c.strip() for c in cells]
    while named and not named[-1]:
        named.pop()
    return tuple(named)


def cell_text(value: object) -> str:
    """A native workbook value as the text the rest of ingest reads (dates as ISO, numbers in full)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
