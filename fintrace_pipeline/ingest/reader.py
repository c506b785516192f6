"""From a file on disk to a raw table of text cells: format, compression, encoding, delimiter,
header row, and the rows whose cell count does not match the header.

Values are not interpreted here (see ``values``); every cell stays the text the file holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.headers import find_header_row, unique_headers

if TYPE_CHECKING:
    from openpyxl import Workbook

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy binary .xls
UTF8_BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 30  # title rows above the header are only looked for this far down
_HEAD_BYTES = 1 << 20
_CHUNK = 1 << 20
_ARROW_BLOCK = 1 << 24


@dataclass
class RawTable:
    """The cells of a table, as text, one column per header.

    ``cells`` holds the rows with exactly one cell per header (empty cells are ""), ``row_numbers``
    their 1-based ordinal among the data records; ``ragged`` the other records as
    (row_number, cells). Blank records are in neither and not numbered.
    """

    headers: list[str]
    cells: pd.DataFrame
    row_numbers: np.ndarray
    ragged: list[tuple[int, list[str]]]
    file_format: str
    compression: str | None
    encoding: str | None
    delimiter: str | None
    sheet_name: str | None
    header_row: int
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.cells) + len(self.ragged)


def read_table(
    path: Path, *, user_mapping: dict[str, str] | None, max_decompressed_bytes: int, max_rows: int
) -> RawTable:
    data, compression = load_bytes(Path(path), max_decompressed_bytes)
    if not data.removeprefix(UTF8_BOM).strip():
        raise IngestError("the file is empty")
    if data.startswith(OLE_MAGIC):
        raise IngestError("the file is a legacy Excel .xls workbook; save it as .xlsx or CSV and upload again")
    if data.startswith(ZIP_MAGIC) or Path(path).suffix.lower() in (".xlsx", ".xlsm", ".zip"):
        table = read_xlsx(data, user_mapping, max_decompressed_bytes, max_rows)
    else:
        table = read_delimited(data, user_mapping, prefer_tab=".tsv" in Path(path).suffixes, max_rows=max_rows)
    table.compression = compression
    if table.rows_read == 0:
        raise IngestError("the file has a header row but no data rows")
    if table.rows_read > max_rows:
        raise IngestError(f"the file has {table.rows_read:,} data rows, more than the limit of {max_rows:,}")
    return table


# --- bytes and compression ----------------------------------------------------------------------


def load_bytes(path: Path, max_bytes: int) -> tuple[bytes, str | None]:
    """The file's content, gunzipped when it starts with the gzip magic bytes.

    Decompression streams in chunks and stops as soon as the output passes ``max_bytes``, so a
    gzip bomb never expands in memory.
    """
    with path.open("rb") as handle:
        magic = handle.read(2)
    if magic != GZIP_MAGIC:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"the file is {size:,} bytes, more than the limit of {max_bytes:,}")
        return path.read_bytes(), None
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise IngestError(
                        f"the gzip file expands to more than the limit of {max_bytes:,} bytes; it was not read further"
                    )
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(f"the gzip file is damaged or truncated ({exc})") from None
    return b"".join(chunks), "gzip"


# --- delimited text -----------------------------------------------------------------------------


def read_delimited(
    data: bytes, user_mapping: dict[str, str] | None, *, prefer_tab: bool = False, max_rows: int
) -> RawTable:
    offset = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    if b"\x00" in data:
        raise IngestError("the file is not text: it contains NUL bytes (a binary file, or UTF-16 text)")
    encoding, payload = _decode(data, offset)
    del data
    head = _head_text(payload)
    delimiter = sniff_delimiter(head, prefer_tab=prefer_tab)
    header_cells, lines_before = _locate_header(head, delimiter, user_mapping)
    headers = unique_headers(header_cells)
    start = _offset_of_line(payload, lines_before)
    notes = []
    if lines_before:
        notes.append(f"skipped {lines_before} line(s) above the header row")
    columns, bad = _parse(payload, start, delimiter, len(headers), notes)
    if _trailing_delimiter(bad, len(columns[0]) if columns else 0, len(headers)):
        # Exports that end every data row (but not the header) with a delimiter: one spare column.
        headers = unique_headers([*headers, ""])
        columns, bad = _parse(payload, start, delimiter, len(headers), notes)
        notes.append("data rows end with an extra delimiter; the empty last cell was ignored")
    cells = pd.DataFrame(dict(zip(headers, columns, strict=True)))
    table = _assemble(headers, cells, bad)
    table.file_format = "tsv" if delimiter == "\t" else "csv"
    table.encoding = encoding
    table.delimiter = delimiter
    table.header_row = lines_before + 1
    table.notes = notes + table.notes
    return table


def _parse(
    payload: bytes, start: int, delimiter: str, width: int, notes: list[str]
) -> tuple[list[pd.Series], list[tuple[int, list[str]]]]:
    try:
        return _parse_with_arrow(payload, start, delimiter, width)
    except _ArrowCannot:
        # Rare files pyarrow will not tokenise (e.g. a stray quote): the csv module reads anything.
        notes.append("read with the tolerant reader (the fast reader could not tokenise the file)")
        return _parse_with_csv_module(payload, start, delimiter, width)


def _trailing_delimiter(bad: list[tuple[int, list[str]]], good: int, width: int) -> bool:
    """Most rows have one cell more than the header, and that cell is empty."""
    trailing = sum(1 for _, record in bad if len(record) == width + 1 and not record[-1].strip())
    return trailing > good


def _decode(data: bytes, offset: int) -> tuple[str, bytes]:
    """The encoding name and the text as UTF-8 bytes (without BOM), which the parser reads."""
    body = memoryview(data)[offset:]
    try:
        str(body, "utf-8")
        return ("utf-8-sig" if offset else "utf-8"), bytes(body) if offset else data
    except UnicodeDecodeError:
        pass
    try:
        return "cp1252", str(body, "cp1252").encode("utf-8")
    except UnicodeDecodeError:
        raise IngestError(
            "the file is not readable text: it is neither UTF-8 nor Windows-1252 (is it a binary file?)"
        ) from None


def _head_text(payload: bytes) -> str:
    head = payload[:_HEAD_BYTES]
    if len(payload) > _HEAD_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    return head.decode("utf-8", errors="replace")


def sniff_delimiter(head: str, *, prefer_tab: bool = False) -> str:
    """The candidate that splits the first records into the most consistent count of >1 cells."""
    scores: dict[str, tuple[float, int]] = {}
    for delimiter in DELIMITERS:
        counts = [len(r) for r in _records(head, delimiter, limit=200) if any(c.strip() for c in r)]
        if not counts:
            continue
        width, frequency = Counter(counts).most_common(1)[0]
        if width > 1:
            scores[delimiter] = (frequency / len(counts), width)
    if prefer_tab and "\t" in scores:
        return "\t"
    if not scores:
        return "\t" if prefer_tab else ","
    return max(scores, key=lambda d: scores[d])


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    return records


def _locate_header(head: str, delimiter: str, user_mapping: dict[str, str] | None) -> tuple[list[str], int]:
    """The header cells and how many physical lines come before the header."""
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    lines_before: list[int] = []
    consumed = 0
    try:
        for record in reader:
            records.append(record)
            lines_before.append(consumed)
            consumed = reader.line_num
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        pass
    index = find_header_row(records, user_mapping)
    if index is None:  # no recognisable header: the first non-blank record, for the error message
        index = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), 0)
    return records[index] if records else [], lines_before[index] if lines_before else 0


def _offset_of_line(payload: bytes, line: int) -> int:
    # Old Mac exports end lines with a bare CR.
    terminator = b"\n" if b"\n" in payload[:_HEAD_BYTES] else b"\r"
    offset = 0
    for _ in range(line):
        offset = payload.index(terminator, offset) + 1
    return offset


class _ArrowCannot(Exception):
    pass


def _parse_with_arrow(
    payload: bytes, start: int, delimiter: str, width: int
) -> tuple[list[pd.Series], list[tuple[int, list[str]]]]:
    """Parse with pyarrow's C++ reader; rows of the wrong width are set aside by the invalid-row
    handler (only those cost Python time) with their ordinal among the data records."""
    bad: list[tuple[int, str]] = []

    def set_aside(row: pacsv.InvalidRow) -> str:
        if row.number is None:
            raise _ArrowCannot("row number unknown")
        bad.append((row.number - 2, row.text))  # number counts the header as record 1
        return "skip"

    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(payload).slice(start)),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=_ARROW_BLOCK),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=set_aside
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _ArrowCannot(str(exc)) from exc
    ordinals = [o for o, _ in bad]
    if len(set(ordinals)) != len(ordinals) or any(not 0 <= o < table.num_rows + len(bad) for o in ordinals):
        raise _ArrowCannot("inconsistent row numbers")
    columns = [pd.Series(pd.arrays.ArrowStringArray(table.column(i))) for i in range(width)]
    return columns, [(o, _split_record(text, delimiter)) for o, text in bad]


def _split_record(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False), [])


def _parse_with_csv_module(
    payload: bytes, start: int, delimiter: str, width: int
) -> tuple[list[pd.Series], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(payload[start:].decode("utf-8"), newline=""), delimiter=delimiter, strict=False)
    next(reader, None)  # the header
    good: list[list[str]] = []
    bad: list[tuple[int, list[str]]] = []
    ordinal = 0
    for record in reader:
        if not record:
            continue  # an empty line
        if len(record) == width:
            good.append(record)
        else:
            bad.append((ordinal, record))
        ordinal += 1
    columns = [pd.Series([r[i] for r in good], dtype="string") for i in range(width)]
    return columns, bad


def _assemble(headers: list[str], cells: pd.DataFrame, bad: list[tuple[int, list[str]]]) -> RawTable:
    """Drop blank records (every cell empty or whitespace) and number the rest 1..n in file order."""
    total = len(cells) + len(bad)
    is_bad = np.zeros(total, dtype=bool)
    bad_ordinals = np.array([o for o, _ in bad], dtype=np.int64)
    is_bad[bad_ordinals] = True
    good_ordinals = np.flatnonzero(~is_bad)
    blank = np.zeros(total, dtype=bool)
    blank[good_ordinals] = _blank_rows(cells)
    blank[bad_ordinals] = [not any(c.strip() for c in record) for _, record in bad]
    row_number = np.cumsum(~blank)
    keep_good = ~blank[good_ordinals]
    cells = cells[keep_good].reset_index(drop=True) if not keep_good.all() else cells
    ragged = [(int(row_number[o]), record) for o, record in bad if not blank[o]]
    return RawTable(
        headers=headers,
        cells=cells,
        row_numbers=row_number[good_ordinals[keep_good]].astype(np.int64),
        ragged=ragged,
        file_format="",
        compression=None,
        encoding=None,
        delimiter=None,
        sheet_name=None,
        header_row=1,
    )


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    blank = np.ones(len(cells), dtype=bool)
    for name in cells.columns:
        column = cells[name]
        blank &= (column.str.strip() == "").fillna(True).to_numpy(dtype=bool)
        if not blank.any():
            break
    return blank


# --- Excel workbooks ----------------------------------------------------------------------------


def read_xlsx(data: bytes, user_mapping: dict[str, str] | None, max_decompressed_bytes: int, max_rows: int) -> RawTable:
    """The first sheet holding a recognisable table; its header may sit below title rows."""
    import openpyxl  # imported here: only workbooks pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise IngestError("the file is not a valid Excel workbook (.xlsx): it is not a readable zip archive") from None
    if expanded > max_decompressed_bytes:
        raise IngestError(
            f"the workbook expands to {expanded:,} bytes, more than the limit of {max_decompressed_bytes:,}"
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken package
        raise IngestError(f"the file is not a valid Excel workbook (.xlsx): {exc}") from None
    try:
        return _read_workbook(workbook, user_mapping, max_rows)
    finally:
        workbook.close()


def _read_workbook(workbook: Workbook, user_mapping: dict[str, str] | None, max_rows: int) -> RawTable:
    chosen = None
    fallback = None
    for sheet in workbook.worksheets:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        head = [[_cell_text(v) for v in row] for row in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]
        index = find_header_row(head, user_mapping)
        if index is not None:
            chosen = (sheet, index, head[index])
            break
        if fallback is None:
            first = next((i for i, row in enumerate(head) if any(c.strip() for c in row)), None)
            if first is not None:
                fallback = (sheet, first, head[first])
    if chosen is None and fallback is None:
        raise IngestError("the workbook is empty: no sheet holds any cells")
    sheet, index, header_cells = chosen or fallback
    width = (
        max(i + 1 for i, c in enumerate(header_cells) if c.strip())
        if any(c.strip() for c in header_cells)
        else len(header_cells)
    )
    headers = unique_headers(header_cells[:width])
    rows, overflow = _sheet_rows(sheet.iter_rows(min_row=index + 2, values_only=True), width, max_rows)
    cells = (
        pd.DataFrame(rows, columns=headers, dtype="string")
        if rows
        else pd.DataFrame({h: pd.Series(dtype="string") for h in headers})
    )
    table = _assemble(headers, cells, [])
    table.file_format = "xlsx"
    table.sheet_name = sheet.title
    table.header_row = index + 1
    others = [ws.title for ws in workbook.worksheets if ws.title != sheet.title]
    if others:
        table.notes.append(f"read sheet {sheet.title!r}; other sheets not read: {', '.join(others)}")
    if index:
        table.notes.append(f"skipped {index} row(s) above the header row")
    if overflow:
        table.notes.append(f"{overflow} row(s) had cells to the right of the last header; those cells were ignored")
    return table


def _sheet_rows(rows: Iterable[Sequence[object]], width: int, max_rows: int) -> tuple[list[list[str]], int]:
    out: list[list[str]] = []
    overflow = 0
    nonblank = 0
    for row in rows:
        texts = [_cell_text(v) for v in row[:width]]
        if len(texts) < width:
            texts.extend([""] * (width - len(texts)))
        if any(v is not None and str(v).strip() for v in row[width:]):
            overflow += 1
        if any(t.strip() for t in texts):
            nonblank += 1
            if nonblank > max_rows:  # no need to read further: already over the limit
                raise IngestError(f"the file has more than {max_rows:,} data rows, the limit")
        out.append(texts)
    return out, overflow


def _cell_text(value: object) -> str:
    """A native Excel value as the text the rest of ingest reads (dates as ISO, numbers in full)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
