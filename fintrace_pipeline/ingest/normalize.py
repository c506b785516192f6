"""From a raw table of text cells to the canonical transaction frame and the rejected rows.

Every data row ends up in exactly one of the two, under the same ``row_number``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fintrace_pipeline import canonical
from fintrace_pipeline.ingest import values
from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.headers import describe_headers, resolve_mapping
from fintrace_pipeline.ingest.reader import RawTable, read_table

# Report lines that are not transactions: they sit in the first cells and leave the date empty.
FOOTER_PATTERN = (
    r"(?i)(?:grand\s*total|sub\s*-?\s*total|totals?|balance\s+(?:carried|brought)\s+(?:forward|fwd|down))\b.*"
)
FOOTER_CELLS = 3

REASON_FOOTER = "report footer or subtotal row"
REASON_MISSING_DATE = "missing posting date"
REASON_BAD_DATE = "unparseable posting date"
REASON_MISSING_AMOUNT = "missing amount"
REASON_BAD_AMOUNT = "unparseable amount"
REASON_BAD_DEBIT = "unparseable debit"
REASON_BAD_CREDIT = "unparseable credit"


@dataclass
class IngestResult:
    transactions: pd.DataFrame  # the canonical frame (see fintrace_pipeline.canonical)
    rejected: pd.DataFrame  # row_number (int64), raw_values (dict header -> raw text), reason (str)
    rows_read: int  # == len(transactions) + len(rejected)
    column_mapping: dict[str, str]  # canonical name -> source header used (debit/credit included)
    file_format: str  # "csv" | "tsv" | "xlsx"
    compression: str | None  # "gzip" or None
    encoding: str | None  # "utf-8", "utf-8-sig", "cp1252"; None for xlsx
    delimiter: str | None
    sheet_name: str | None
    header_row: int  # 1-based physical row of the header in the file or sheet
    date_format: str  # "dmy", "mdy", "iso" or "excel-serial"
    notes: list[str] = field(default_factory=list)


def ingest_file(
    path: Path,
    *,
    user_mapping: dict[str, str] | None = None,
    max_decompressed_bytes: int,
    max_rows: int,
) -> IngestResult:
    """Read a CSV/TSV (optionally gzip-compressed) or .xlsx ledger export into canonical transactions.

    Raises IngestError for problems with the file as a whole; problems with single rows put those
    rows in ``rejected`` with their reason.
    """
    table = read_table(
        Path(path), user_mapping=user_mapping, max_decompressed_bytes=max_decompressed_bytes, max_rows=max_rows
    )
    mapping = resolve_mapping(table.headers, user_mapping)
    if "posting_date" not in mapping:
        raise IngestError(f"no column looks like a posting date (headers: {describe_headers(table.headers)})")
    if not {"amount", "debit", "credit"} & set(mapping):
        raise IngestError(
            f"no column looks like an amount, or a debit/credit pair (headers: {describe_headers(table.headers)})"
        )
    return normalize_table(table, mapping)


def normalize_table(table: RawTable, mapping: dict[str, str]) -> IngestResult:
    cells = table.cells
    notes = list(table.notes)
    reasons = pd.Series(pd.NA, index=cells.index, dtype="object")

    def reject(mask: np.ndarray | pd.Series, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool) & reasons.isna().to_numpy()
        reasons[mask] = reason

    posting_text = values.clean_text(cells[mapping["posting_date"]])
    posting_shapes = values.classify_dates(posting_text)
    entry_shapes = (
        values.classify_dates(values.clean_text(cells[mapping["entry_date"]])) if ("entry_date" in mapping) else None
    )
    date_order = values.decide_date_order([s for s in (posting_shapes, entry_shapes) if s is not None])

    no_date = posting_text.isna().to_numpy()
    # A footer's label often sits in the date column itself ("Total,,1,234.00").
    reject(_footer_rows(cells, no_date | values.fullmatch(posting_text, FOOTER_PATTERN)), REASON_FOOTER)
    reject(no_date, REASON_MISSING_DATE)
    posting_date = values.parse_dates(posting_shapes, date_order)
    reject(posting_date.isna().to_numpy(), REASON_BAD_DATE)

    amount = _amounts(cells, mapping, reject, notes)

    keep = reasons.isna().to_numpy()
    frame = {
        "row_number": table.row_numbers[keep],
        "posting_date": posting_date[keep].to_numpy(),
        "amount": amount[keep],
    }
    if entry_shapes is not None:
        entry_date = values.parse_dates(entry_shapes, date_order)
        unreadable = int((entry_date.isna() & entry_shapes.text.notna()).to_numpy()[keep].sum())
        if unreadable:
            notes.append(f"{unreadable} entry date(s) could not be read and were left empty")
        frame["entry_date"] = entry_date[keep].to_numpy()
    for name in canonical.TEXT_COLUMNS:
        if name in mapping:
            frame[name] = values.clean_text(cells[mapping[name]])[keep].reset_index(drop=True)
    if "label" in mapping:
        frame["label"] = values.parse_label(values.clean_text(cells[mapping["label"]]))[keep].reset_index(drop=True)
    transactions = _canonical_frame(frame)

    rejected = _rejected_frame(table, reasons, keep)
    if len(transactions) == 0:
        top_reason, count = rejected["reason"].value_counts().index[0], rejected["reason"].value_counts().iloc[0]
        raise IngestError(
            f"every data row was rejected ({len(rejected):,} rows); the most common reason: {top_reason} "
            f"({count:,} rows)"
        )
    footers = int((reasons == REASON_FOOTER).sum())
    if footers:
        notes.append(f"skipped {footers} report footer/subtotal row(s)")
    unused = [h for h in table.headers if h not in set(mapping.values())]
    if unused:
        notes.append(f"columns not used: {describe_headers(unused)}")
    notes.append(f"dates read as {date_order}")
    return IngestResult(
        transactions=transactions,
        rejected=rejected,
        rows_read=table.rows_read,
        column_mapping=dict(mapping),
        file_format=table.file_format,
        compression=table.compression,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet_name=table.sheet_name,
        header_row=table.header_row,
        date_format=date_order,
        notes=notes,
    )


def _amounts(
    cells: pd.DataFrame,
    mapping: dict[str, str],
    reject: Callable[[np.ndarray | pd.Series, str], None],
    notes: list[str],
) -> np.ndarray:
    """The signed amount of every row, rejecting rows whose amount is missing or unreadable."""
    if "amount" in mapping:
        parsed = values.parse_amounts(values.clean_text(cells[mapping["amount"]]))
        reject(parsed.missing, REASON_MISSING_AMOUNT)
        reject(parsed.values.isna(), REASON_BAD_AMOUNT)
        _note_convention(parsed, mapping["amount"], notes)
        return parsed.values.to_numpy()
    debit = values.parse_amounts(values.clean_text(cells[mapping["debit"]])) if "debit" in mapping else None
    credit = values.parse_amounts(values.clean_text(cells[mapping["credit"]])) if "credit" in mapping else None
    both_missing = np.ones(len(cells), dtype=bool)
    for side, reason, name in ((debit, REASON_BAD_DEBIT, "debit"), (credit, REASON_BAD_CREDIT, "credit")):
        if side is not None:
            reject(side.values.isna() & ~side.missing, reason)
            both_missing &= side.missing.to_numpy()
            _note_convention(side, mapping[name], notes)
    reject(both_missing, REASON_MISSING_AMOUNT)
    return values.combine_debit_credit(debit, credit).to_numpy()


def _note_convention(parsed: values.ParsedAmounts, header: str, notes: list[str]) -> None:
    if parsed.convention == values.COMMA_DECIMAL:
        notes.append(f"amounts in {header!r} read with a decimal comma (1.234,56)")


def _footer_rows(cells: pd.DataFrame, dateless: np.ndarray) -> np.ndarray:
    """Rows without a date whose first cells read "Total", "Subtotal", "Balance carried forward"..."""
    footer = np.zeros(len(cells), dtype=bool)
    if not dateless.any():
        return footer
    candidates = cells[dateless]
    hit = np.zeros(len(candidates), dtype=bool)
    for name in cells.columns[:FOOTER_CELLS]:
        hit |= values.fullmatch(candidates[name].str.strip(), FOOTER_PATTERN)
    footer[np.flatnonzero(dateless)[hit]] = True
    return footer


def _canonical_frame(columns: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(data).reset_index(drop=True) for name, data in columns.items()})
    frame["row_number"] = frame["row_number"].astype("int64")
    frame["amount"] = frame["amount"].astype("float64")
    for name in canonical.DATE_COLUMNS:
        if name in frame:
            frame[name] = frame[name].astype("datetime64[ns]")
    for name in canonical.TEXT_COLUMNS:
        if name in frame:
            frame[name] = frame[name].astype("string")
    if "label" in frame:
        frame["label"] = frame["label"].astype("Int64")
    return frame[[c for c in canonical.ALL_COLUMNS if c in frame]]


def _rejected_frame(table: RawTable, reasons: pd.Series, keep: np.ndarray) -> pd.DataFrame:
    rejected_cells = table.cells[~keep]
    raw_values = rejected_cells.astype(object).to_dict("records")
    row_numbers = list(table.row_numbers[~keep])
    reason_list = list(reasons[~keep])
    width = len(table.headers)
    for row_number, record in table.ragged:
        raw = dict(zip(table.headers, record, strict=False))
        raw.update({f"extra cell {i}": cell for i, cell in enumerate(record[width:], start=1)})
        raw_values.append(raw)
        row_numbers.append(row_number)
        reason_list.append(f"expected {width} cells, found {len(record)}")
    rejected = pd.DataFrame(
        {
            "row_number": pd.Series(row_numbers, dtype="int64"),
            "raw_values": pd.Series(raw_values, dtype="object"),
            "reason": pd.Series(reason_list, dtype="str"),
        }
    )
    return rejected.sort_values("row_number", ignore_index=True)
