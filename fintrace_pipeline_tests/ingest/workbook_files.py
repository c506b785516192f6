"""Writers for the two workbook formats no installed library writes: legacy Excel .xls (BIFF8 records
in an OLE compound file) and OpenDocument .ods. Cells are text or numbers; that is all a ledger needs."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

Rows = list[list[str | float | None]]
_SECTOR = 512
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def write_xls(path: Path, sheets: list[tuple[str, Rows]]) -> Path:
    path.write_bytes(_compound_file(_biff8(sheets)))
    return path


def write_ods(path: Path, sheets: list[tuple[str, Rows]]) -> Path:
    tables = "".join(
        f'<table:table table:name="{escape(name)}">' + "".join(_ods_row(row) for row in rows) + "</table:table>"
        for name, rows in sheets
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _ods_row(row: list) -> str:
    cells = []
    for value in row:
        if value is None:
            cells.append("<table:table-cell/>")
        elif isinstance(value, int | float):
            number = f'office:value-type="float" office:value="{value}"'
            cells.append(f"<table:table-cell {number}><text:p>{value}</text:p></table:table-cell>")
        else:
            cells.append(
                f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'
            )
    return "<table:table-row>" + "".join(cells) + "</table:table-row>"


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(substream: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def _cell(row: int, col: int, value: str | float) -> bytes:
    if isinstance(value, int | float):
        return _record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))  # NUMBER
    return _record(0x0204, struct.pack("<HHHHB", row, col, 0, len(value), 1) + value.encode("utf-16-le"))  # LABEL


def _biff8(sheets: list[tuple[str, Rows]]) -> bytes:
    bodies = []
    for _, rows in sheets:
        cells = b"".join(_cell(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None)
        bodies.append(_bof(0x0010) + cells + _record(0x000A))

    def sheet_index(offsets: list[int]) -> bytes:
        return b"".join(
            _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 1) + name.encode("utf-16-le"))
            for (name, _), offset in zip(sheets, offsets, strict=True)
        )

    offset = len(_bof(0x0005)) + len(sheet_index([0] * len(sheets))) + len(_record(0x000A))
    offsets = []
    for body in bodies:
        offsets.append(offset)
        offset += len(body)
    return _bof(0x0005) + sheet_index(offsets) + _record(0x000A) + b"".join(bodies)


def _compound_file(stream: bytes) -> bytes:
    """One "Workbook" stream in a version-3 compound file: header, one FAT sector, the stream, the directory."""
    stream = stream.ljust(4096, b"\x00")  # at least the mini-stream cutoff, so it lives in regular sectors
    stream += b"\x00" * (-len(stream) % _SECTOR)
    sectors = len(stream) // _SECTOR
    fat = [_FAT_SECTOR, *range(2, sectors + 1), _END_OF_CHAIN, _END_OF_CHAIN]
    fat += [_FREE] * (_SECTOR // 4 - len(fat))
    directory = (
        _directory_entry("Root Entry", 5, child=1, start=_END_OF_CHAIN, size=0)
        + _directory_entry("Workbook", 2, child=_NO_STREAM, start=1, size=len(stream))
        + _directory_entry("", 0, child=_NO_STREAM, start=0, size=0) * 2
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, sectors + 1, 0, 4096, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    return header + struct.pack(f"<{_SECTOR // 4}I", *fat) + stream + directory


def _directory_entry(name: str, kind: int, *, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NO_STREAM, _NO_STREAM, child)
        + b"\x00" * 36
        + struct.pack("<IQ", start, size)
    )
