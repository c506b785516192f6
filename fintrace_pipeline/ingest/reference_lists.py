"""Reading a reference list (a vendor master or an employee list) from CSV, TSV, gzip or a workbook.

The file is read by the same machinery as a ledger (format, encoding, delimiter, header row, sheets,
placeholder values); its headers are matched to the reference columns by the lexicon, and the
content checks each choice (a date added must hold dates, a name must not be numbers). A row with
at least one value in a mapped column is an entry, named or not: an employee's bank account counts
even where the list leaves the name out.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest import dates, values
from fintrace_pipeline.ingest.column_profile import MIN_DATE_SHARE, ColumnProfile
from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.headers import describe_headers
from fintrace_pipeline.ingest.mapping import OPTIONAL_MIN, REQUIRED_MIN, TIE_WEIGHT, loose
from fintrace_pipeline.ingest.placeholders import MissingValues
from fintrace_pipeline.ingest.reader import read_table
from fintrace_pipeline.ingest.reference_rules import DESCRIBED, REFERENCE_COLUMNS, score_reference_header
from fintrace_pipeline.ingest.sample import inference_sample
from fintrace_pipeline.settings import DEFAULT_MISSING_VALUES

VENDOR_MASTER, EMPLOYEES = "vendor_master", "employees"
KINDS = (VENDOR_MASTER, EMPLOYEES)
KIND_LABELS = {VENDOR_MASTER: "vendor master", EMPLOYEES: "employee list"}
# The columns each kind of list is read for: only a vendor master says when a vendor was added.
COLUMNS_OF = {VENDOR_MASTER: REFERENCE_COLUMNS, EMPLOYEES: tuple(c for c in REFERENCE_COLUMNS if c != "added_date")}
MIN_DIGIT_SHARE = 0.8  # account and tax numbers hold digits
MAX_NUMERIC_NAMES = 0.5  # a column of mostly numbers holds no names
REASON_RAGGED = "wrong number of cells"


@dataclass
class ReferenceListRead:
    entries: pd.DataFrame  # row_number (int64) and the mapped REFERENCE_COLUMNS (text; added_date datetime64)
    column_mapping: dict[str, str]  # reference column -> source header
    rows_read: int
    rejected: list[dict]  # {"row_number", "reason", "cells"} for rows that could not be read
    file_format: str
    encoding: str | None
    sheet_name: str | None
    header_row: int
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_reference_list(
    path: Path,
    kind: str,
    *,
    user_mapping: dict[str, str] | None = None,
    max_decompressed_bytes: int,
    max_rows: int,
    missing_values: Collection[str] = DEFAULT_MISSING_VALUES,
) -> ReferenceListRead:
    """The entries of the list at ``path``. Raises IngestError when the file cannot be read or no
    column holds names, with the closest columns and a mapping to paste."""
    if kind not in KINDS:
        raise IngestError(f"unknown kind of reference list {kind!r}; allowed: {', '.join(KINDS)}")
    table = read_table(
        Path(path), user_mapping=user_mapping, max_decompressed_bytes=max_decompressed_bytes, max_rows=max_rows
    )
    placeholders = MissingValues(missing_values)
    sample = inference_sample(table, placeholders)
    mapping = reference_mapping(table.headers, sample, kind, user_mapping)
    if "name" not in mapping:
        raise IngestError(_no_name_message(table.headers, sample, kind, mapping))
    cells = table.cells
    frame: dict[str, object] = {"row_number": table.row_numbers}
    notes = list(table.notes)
    for name, header in mapping.items():
        text = placeholders.blank(values.clean_text(cells[header]))
        if name == "added_date":
            shapes = dates.classify_dates(text)
            parsed = dates.parse_dates(shapes, dates.decide_date_order([shapes]))
            unreadable = int((parsed.isna() & text.notna()).sum())
            if unreadable:
                notes.append(f"{unreadable} date(s) added could not be read and were left empty")
            frame[name] = parsed.to_numpy()
        else:
            frame[name] = text.reset_index(drop=True)
    entries = pd.DataFrame(frame)
    mapped = [c for c in mapping if c in entries.columns]
    entries = entries[entries[mapped].notna().any(axis=1).to_numpy()].reset_index(drop=True)
    rejected = [{"row_number": n, "reason": REASON_RAGGED, "cells": cells_} for n, cells_ in table.ragged]
    warnings = []
    if rejected:
        warnings.append(
            f"{len(rejected)} row(s) had a different number of cells than the header and were not read "
            f"(first: row {rejected[0]['row_number']})"
        )
    unnamed = int(entries["name"].isna().sum())
    if unnamed:
        notes.append(f"{unnamed} entr{'y has' if unnamed == 1 else 'ies have'} no name; their other values are kept")
    return ReferenceListRead(
        entries=entries,
        column_mapping=mapping,
        rows_read=table.rows_read,
        rejected=rejected,
        file_format=table.file_format,
        encoding=table.encoding,
        sheet_name=table.sheet_name,
        header_row=table.header_row,
        notes=notes,
        warnings=warnings,
    )


def reference_mapping(
    headers: list[str], sample: pd.DataFrame, kind: str, user_mapping: dict[str, str] | None = None
) -> dict[str, str]:
    """Reference column -> source header: the user's entries, then the best header for each column
    whose content agrees, best-scoring first (a header feeds one column)."""
    wanted = COLUMNS_OF[kind]
    mapping = _user_choices(headers, wanted, user_mapping)
    taken = set(mapping.values())
    candidates = []
    for name in wanted:
        if name in mapping:
            continue
        for header in headers:
            scored = score_reference_header(name, header)
            minimum = REQUIRED_MIN if name == "name" else OPTIONAL_MIN
            if scored is None or scored.score < minimum or header in taken:
                continue
            profile = ColumnProfile(sample[header])
            if not _content_agrees(name, profile):
                continue
            candidates.append((scored.score + TIE_WEIGHT * _preference(name, profile), scored.score, name, header))
    for _, _, name, header in sorted(candidates, key=lambda c: (-c[0], -c[1])):
        if name not in mapping and header not in taken:
            mapping[name] = header
            taken.add(header)
    return {name: mapping[name] for name in wanted if name in mapping}


def _content_agrees(name: str, profile: ColumnProfile) -> bool:
    if not profile.filled:
        return False
    if name == "added_date":
        return profile.date_share >= MIN_DATE_SHARE
    if name == "name":
        return profile.numeric_share < MAX_NUMERIC_NAMES and profile.date_share < MIN_DATE_SHARE
    if name in ("bank_account", "tax_id"):
        return _digit_share(profile) >= MIN_DIGIT_SHARE
    return True


def _preference(name: str, profile: ColumnProfile) -> float:
    """From 0 to 1: which of two close headers the content prefers."""
    if name == "address":  # the street line says more than a town
        return min(1.0, float(profile.present.str.len().mean()) / 40)
    if name == "id":
        return profile.distinct / profile.filled
    return profile.filled / profile.total if profile.total else 0.0


def _digit_share(profile: ColumnProfile) -> float:
    return float(np.mean(values.contains(profile.present, r"\d{3}"))) if profile.filled else 0.0


def _user_choices(headers: list[str], wanted: tuple[str, ...], user_mapping: dict[str, str] | None) -> dict[str, str]:
    chosen: dict[str, str] = {}
    by_loose_name = {loose(h): h for h in headers}
    for target, source in (user_mapping or {}).items():
        if target not in wanted:
            raise IngestError(
                f"the column mapping names unknown target column {target!r}; allowed: {', '.join(wanted)}"
            )
        header = source if source in headers else by_loose_name.get(loose(source))
        if header is None:
            raise IngestError(
                f"the column mapping names the header {source!r} for {target}, but the file has no such column "
                f"(headers: {describe_headers(headers)})"
            )
        chosen[target] = header
    return chosen


def _no_name_message(headers: list[str], sample: pd.DataFrame, kind: str, mapping: dict[str, str]) -> str:
    """Which columns come closest to holding names, with two values each, and a mapping to paste."""
    ranked = []
    for header in headers:
        profile = ColumnProfile(sample[header])
        if not profile.filled or header in mapping.values():
            continue
        scored = score_reference_header("name", header)
        # Names are words: columns of numbers, or of codes made mostly of digits (IBANs), come last.
        numbers = profile.numeric_share >= MAX_NUMERIC_NAMES or _digit_share(profile) >= MIN_DIGIT_SHARE
        ranked.append((numbers, -(scored.score if scored else 0.0), headers.index(header), header))
    closest = [header for *_, header in sorted(ranked)[:3]]
    shown = ", ".join(
        f"{h!r} (e.g. {', '.join(repr(v) for v in sample[h].dropna().drop_duplicates().head(2))})" for h in closest
    )
    found = "; found " + ", ".join(f"{DESCRIBED[n]} in {h!r}" for n, h in mapping.items()) if mapping else ""
    suggestion = {**mapping, "name": closest[0]} if closest else {"name": "<the column of names>"}
    return (
        f"the {KIND_LABELS[kind]} has no column that looks like {DESCRIBED['name']} "
        f"(headers: {describe_headers(headers)}){found}; closest: {shown or 'none (no column has values)'}. "
        f"Name the columns with --mapping '{json.dumps(suggestion, ensure_ascii=False)}'"
    )
