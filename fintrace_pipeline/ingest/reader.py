"""From a file on disk to a raw table of text cells: format, compression, encoding, delimiter,
header row, and the rows whose cell count does not match the header.

Values are not interpreted here (see ``values``); every cell stays the text the file holds.
Workbooks are read by ``workbook``; this module reads delimited text and decides which reader a
file needs.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from fintrace_pipeline.file_types import WORKBOOK_SUFFIXES
from fintrace_pipeline.ingest.encoding import UTF8_BOM, UTF16_BOMS, decode
from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.headers import find_header_row, unique_headers
from fintrace_pipeline.ingest.raw_table import HEADER_SEARCH_ROWS, RawTable, assemble
from fintrace_pipeline.ingest.workbook import read_workbook

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy binary .xls
DELIMITERS = (",", ";", "\t", "|")
_HEAD_BYTES = 1 << 20
_PREVIEW_BYTES = 2 << 20  # a preview of a text file reads this much of it
_CHUNK = 1 << 20
_ARROW_BLOCK = 1 << 24


def read_table(
    path: Path,
    *,
    user_mapping: dict[str, str] | None,
    max_decompressed_bytes: int,
    max_rows: int,
    sample_rows: int | None = None,
) -> RawTable:
    """The file's table. With ``sample_rows``, only the header and about that many rows are read
    (of a text file, only its first megabytes)."""
    path = Path(path)
    workbook = path.suffix.lower() in WORKBOOK_SUFFIXES or _starts_with(path, (ZIP_MAGIC, OLE_MAGIC))
    head_only = sample_rows is not None and not workbook
    data, compression = load_bytes(path, max_decompressed_bytes, head_bytes=_PREVIEW_BYTES if head_only else None)
    if head_only:
        data = whole_lines(data)
    if not _has_content(data):
        raise IngestError("the file is empty")
    if workbook or data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        table = read_workbook(data, user_mapping, max_decompressed_bytes, max_rows, sample_rows)
    else:
        prefer_tab = ".tsv" in [s.lower() for s in Path(path).suffixes]
        table = read_delimited(data, user_mapping, prefer_tab=prefer_tab, sample_rows=sample_rows)
    table.compression = compression
    if table.rows_read == 0:
        raise IngestError("the file has a header row but no data rows")
    if sample_rows is None and table.rows_read > max_rows:
        raise IngestError(f"the file has {table.rows_read:,} data rows, more than the limit of {max_rows:,}")
    return table


def _starts_with(path: Path, magics: tuple[bytes, ...]) -> bool:
    with path.open("rb") as handle:
        return handle.read(8).startswith(magics)


def whole_lines(head: bytes) -> bytes:
    """The head of a text file cut after its last complete line (never inside a character)."""
    utf16 = next((name for bom, name in UTF16_BOMS if head.startswith(bom)), None)
    newline = {"utf-16-le": b"\n\x00", "utf-16-be": b"\x00\n"}.get(utf16, b"\n")
    end = head.rfind(newline)
    while utf16 and end > 0 and end % 2:  # a UTF-16 newline starts on an even byte
        end = head.rfind(newline, 0, end)
    return head[: end + len(newline)] if end > 0 else head


def _has_content(data: bytes) -> bool:
    for bom in (UTF8_BOM, *(b for b, _ in UTF16_BOMS)):
        if data.startswith(bom):
            data = data[len(bom) :]
            break
    return bool(data.replace(b"\x00", b"").strip())


# --- bytes and compression ----------------------------------------------------------------------


def load_bytes(path: Path, max_bytes: int, head_bytes: int | None = None) -> tuple[bytes, str | None]:
    """The file's content (or its first ``head_bytes``), gunzipped when it starts with the gzip magic bytes.

    Decompression streams in chunks and stops as soon as the output passes ``max_bytes``, so a
    gzip bomb never expands in memory.
    """
    with path.open("rb") as handle:
        magic = handle.read(2)
    if magic != GZIP_MAGIC:
        size = path.stat().st_size
        if head_bytes is not None:
            with path.open("rb") as handle:
                return handle.read(head_bytes), None
        if size > max_bytes:
            raise IngestError(f"the file is {size:,} bytes, more than the limit of {max_bytes:,}")
        return path.read_bytes(), None
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if head_bytes is not None and total >= head_bytes:
                    chunks.append(chunk)
                    break
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
    data: bytes, user_mapping: dict[str, str] | None, *, prefer_tab: bool = False, sample_rows: int | None = None
) -> RawTable:
    encoding, payload = decode(data)
    del data
    if sample_rows is not None:
        payload = _head_bytes(payload)
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
    if sample_rows is not None:  # the first ``sample_rows`` records, good or ragged
        bad = [(o, r) for o, r in bad if o < sample_rows]
        cells = cells.head(max(0, sample_rows - len(bad)))
    table = assemble(headers, cells, bad)
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


def _head_bytes(payload: bytes) -> bytes:
    head = payload[:_HEAD_BYTES]
    if len(payload) > _HEAD_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    return head


def _head_text(payload: bytes) -> str:
    return _head_bytes(payload).decode("utf-8", errors="replace")


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
