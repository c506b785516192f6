"""The header row of a table: finding it below title rows, and naming its cells."""

from __future__ import annotations

from collections.abc import Sequence

from fintrace_pipeline.ingest.mapping import loose, propose_mapping


def find_header_row(rows: Sequence[Sequence[str]], user_mapping: dict[str, str] | None = None) -> int | None:
    """Index of the first row that reads as the table's header, or None.

    A header row names a posting date and an amount (or debit/credit), or holds every header the
    user's mapping names. Title rows above it ("General Ledger FY2024", blank rows) are passed over.
    """
    wanted = {loose(h) for h in (user_mapping or {}).values()}
    for index, row in enumerate(rows):
        cells = [str(c) for c in row if c is not None and str(c).strip()]
        if len(cells) < 2:
            continue
        if wanted and wanted <= {loose(c) for c in cells}:
            return index
        if not propose_mapping(unique_headers(cells)).missing:
            return index
    return None


def unique_headers(cells: Sequence[str]) -> list[str]:
    """Header names that can key a dict: the cell text as written, blanks become "column N", repeats
    get " (2)", " (3)"..."""
    headers: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        name = str(cell) if cell is not None else ""
        name = name if name.strip() else f"column {position}"
        candidate, copy = name, 1
        while candidate in seen:
            copy += 1
            candidate = f"{name} ({copy})"
        seen.add(candidate)
        headers.append(candidate)
    return headers


def describe_headers(headers: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in list(headers)[:30])
    return shown + (f", ... ({len(headers)} in all)" if len(headers) > 30 else "")
