"""From a raw table of text cells to the canonical transaction frame and the rejected rows.

Every data row ends up in exactly one of the two, under the same ``row_number``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fintrace_pipeline import canonical
from fintrace_pipeline.ingest import dates, debit_credit, values
from fintrace_pipeline.ingest.date_columns import date_shapes, fill_placeholder_dates
from fintrace_pipeline.ingest.date_order import choose_date_order
from fintrace_pipeline.ingest.errors import EveryRowRejected, IngestError
from fintrace_pipeline.ingest.failures import every_row_rejected_message, unmatched_message
from fintrace_pipeline.ingest.headers import describe_headers
from fintrace_pipeline.ingest.mapping import MappingProposal, propose_mapping
from fintrace_pipeline.ingest.origin_hints import OriginHints, origin_hints
from fintrace_pipeline.ingest.placeholders import MissingValues
from fintrace_pipeline.ingest.raw_table import DATA_CHARACTER, RawTable
from fintrace_pipeline.ingest.reader import read_table
from fintrace_pipeline.ingest.sample import inference_sample
from fintrace_pipeline.ingest.section_headings import carried_headings
from fintrace_pipeline.ingest.times import add_time_of_day
from fintrace_pipeline.settings import DEFAULT_MISSING_VALUES

# Report lines that are not transactions: they sit in the first cells and leave the date empty.
FOOTER_PATTERN = (
    r"(?i)(?:grand\s*total|sub\s*-?\s*total|totals?|balance\s+(?:carried|brought)\s+(?:forward|fwd|down))\b.*"
)
FOOTER_CELLS = 3

REASON_FOOTER = "report footer or subtotal row"
REASON_HEADING = "account heading row"
REASON_MISSING_DATE = "missing posting date"
REASON_BAD_DATE = "unparseable posting date"
REASON_MISSING_AMOUNT = "missing amount"
REASON_BAD_AMOUNT = "unparseable amount"
REASON_BAD_DEBIT = "unparseable debit"
REASON_BAD_CREDIT = "unparseable credit"
REASON_MISSING_SIGN = "missing debit/credit indicator"
REASON_BAD_SIGN = "unreadable debit/credit indicator"
# Columns parsed into dates or amounts: only their unreadable values are tested as placeholders.
PARSED_COLUMNS = ("posting_date", "entry_date", "document_date", "amount", "debit", "credit")
# The source column behind each reason, for showing the failing values.
REASON_COLUMNS = {
    REASON_MISSING_DATE: ("posting_date",),
    REASON_BAD_DATE: ("posting_date",),
    REASON_MISSING_AMOUNT: ("amount", "debit", "credit"),
    REASON_BAD_AMOUNT: ("amount",),
    REASON_BAD_DEBIT: ("debit",),
    REASON_BAD_CREDIT: ("credit",),
    REASON_MISSING_SIGN: ("debit_credit_indicator",),
    REASON_BAD_SIGN: ("debit_credit_indicator",),
}


@dataclass
class IngestResult:
    transactions: pd.DataFrame  # the canonical frame (see fintrace_pipeline.canonical)
    rejected: pd.DataFrame  # row_number (int64), raw_values (dict header -> raw text), reason (str)
    rows_read: int  # == len(transactions) + len(rejected)
    column_mapping: dict[str, str]  # canonical name -> source header used (debit/credit included)
    mapping_details: dict[str, dict]  # per canonical name: column, confidence, decided_by, runner_up
    unmapped_columns: list[str]  # source headers no canonical column uses
    file_format: str  # "csv" | "tsv" | "xlsx" | "xls" | "ods" | "xlsb"
    compression: str | None  # "gzip" or None
    encoding: str | None  # "utf-8", "utf-8-sig", "utf-16-le", "cp1252", "cp850", "cp1250", "iso-8859-2"; None: workbook
    delimiter: str | None
    sheet_name: str | None
    header_row: int  # 1-based physical row of the header in the file or sheet
    date_format: str  # "dmy", "mdy", "iso", "excel-serial", "yyyymmdd" or "month-name"
    notes: list[str] = field(default_factory=list)  # how the file was read
    warnings: list[str] = field(default_factory=list)  # what a person should check

    def rejection_counts(self) -> list[dict]:
        counts = self.rejected["reason"].value_counts()
        return [{"reason": str(reason), "rows": int(rows)} for reason, rows in counts.items()]


def ingest_file(
    path: Path,
    *,
    user_mapping: dict[str, str] | None = None,
    max_decompressed_bytes: int,
    max_rows: int,
    missing_values: Collection[str] = DEFAULT_MISSING_VALUES,
    country: str | None = None,
) -> IngestResult:
    """Read a CSV/TSV (optionally gzip-compressed) or workbook export into canonical transactions.

    ``country`` (ISO 3166-1 alpha-2) is where the file comes from, where known: it decides the
    day/month order of dates that cannot tell it themselves, unless the file shows otherwise.
    Raises IngestError for problems with the file as a whole (EveryRowRejected when no row could be
    loaded); problems with single rows put those rows in ``rejected`` with their reason.
    """
    table = read_table(
        Path(path), user_mapping=user_mapping, max_decompressed_bytes=max_decompressed_bytes, max_rows=max_rows
    )
    placeholders = MissingValues(missing_values)
    sample = inference_sample(table, placeholders)
    proposal = propose_mapping(table.headers, sample, user_mapping)
    if proposal.missing:
        raise IngestError(unmatched_message(proposal, sample))
    hints = origin_hints(table.headers, sample, proposal.mapping, country)
    return normalize_table(table, proposal, placeholders, sample, hints)


def normalize_table(
    table: RawTable,
    proposal: MappingProposal,
    placeholders: MissingValues,
    sample: pd.DataFrame | None = None,
    hints: OriginHints | None = None,
) -> IngestResult:
    """The canonical frame of ``table`` under ``proposal``; ``sample`` (the inference sample) and
    ``hints`` decide the date order first, where given."""
    mapping = proposal.mapping
    cells = table.cells
    notes = list(table.notes)
    warnings = list(proposal.warnings)
    reasons = pd.Series(pd.NA, index=cells.index, dtype="object")
    cleaned: dict[str, pd.Series] = {}

    def column(name: str) -> pd.Series:
        """The cleaned cells; placeholders are blanked here for text, after parsing for dates and amounts."""
        header = mapping[name]
        if header not in cleaned:
            text = values.clean_text(cells[header])
            cleaned[header] = text if name in PARSED_COLUMNS else placeholders.blank(text)
        return cleaned[header]

    def reject(mask: np.ndarray | pd.Series, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool) & reasons.isna().to_numpy()
        reasons[mask] = reason

    posting_shapes = date_shapes(column("posting_date"), placeholders)
    posting_text = posting_shapes.text
    entry_shapes = date_shapes(column("entry_date"), placeholders) if "entry_date" in mapping else None
    date_headers = [mapping[name] for name in canonical.DATE_COLUMNS if name in mapping]
    chosen_order = choose_date_order(
        [dates.classify_dates(sample[h]) for h in date_headers] if sample is not None else [],
        lambda: [s for s in (posting_shapes, entry_shapes) if s is not None],
        hints or OriginHints(),
        date_headers,
    )
    date_order = chosen_order.order
    if chosen_order.warning:
        warnings.append(chosen_order.warning)

    # A date cell without a letter or digit ("†† ", "-") holds no date.
    no_date = ~values.contains(posting_text, DATA_CHARACTER)
    # A footer's label often sits in the date column itself ("Total,,1,234.00").
    footer = _footer_rows(cells, no_date | values.fullmatch(posting_text, FOOTER_PATTERN))
    reject(footer, REASON_FOOTER)
    headings = carried_headings(cells, mapping, no_date, footer)
    if headings is not None:
        reject(headings.rows, REASON_HEADING)
        notes.append(headings.note())
    reject(no_date, REASON_MISSING_DATE)
    posting_date = dates.parse_dates(posting_shapes, date_order)
    reject(posting_date.isna().to_numpy(), REASON_BAD_DATE)
    posting_date = fill_placeholder_dates(posting_date, proposal, cells, placeholders, date_order, warnings)
    posting_date = _with_time_of_day("posting_date", posting_date, proposal, cells, notes)

    amount = _amounts(column, mapping, reject, notes, placeholders)

    keep = reasons.isna().to_numpy()
    frame = {
        "row_number": table.row_numbers[keep],
        "posting_date": posting_date[keep].to_numpy(),
        "amount": amount[keep],
    }
    if entry_shapes is not None:
        entry_date = dates.parse_dates(entry_shapes, date_order)
        unreadable = int((entry_date.isna() & entry_shapes.text.notna()).to_numpy()[keep].sum())
        if unreadable:
            notes.append(f"{unreadable} entry date(s) could not be read and were left empty")
        entry_date = _with_time_of_day("entry_date", entry_date, proposal, cells, notes)
        frame["entry_date"] = entry_date[keep].to_numpy()
    if "document_date" in mapping:
        # A day, read like the posting date; an unreadable one is left empty, never a rejected row.
        document_shapes = date_shapes(column("document_date"), placeholders)
        document_date = dates.parse_dates(document_shapes, date_order)
        unreadable = int((document_date.isna() & document_shapes.text.notna()).to_numpy()[keep].sum())
        if unreadable:
            notes.append(f"{unreadable} document date(s) could not be read and were left empty")
        frame["document_date"] = document_date[keep].to_numpy()
    for name in canonical.TEXT_COLUMNS:
        if name in mapping:
            frame[name] = column(name)[keep].reset_index(drop=True)
    if headings is not None:
        frame["account"] = headings.account[keep].reset_index(drop=True)
        frame["account_name"] = headings.account_name[keep].reset_index(drop=True)
    if "label" in mapping:
        frame["label"] = values.parse_label(column("label"))[keep].reset_index(drop=True)
    transactions = _canonical_frame(frame)

    rejected = _rejected_frame(table, reasons, keep)
    footers = int((reasons == REASON_FOOTER).sum())
    if footers:
        notes.append(f"skipped {footers} report footer/subtotal row(s)")
    column_mapping, details, unmapped = dict(mapping), proposal.details(), proposal.unmapped
    if headings is not None:
        column_mapping.update(headings.mapping())
        details.update(headings.details())
        unmapped = [h for h in unmapped if h not in headings.columns]
    if unmapped:
        notes.append(f"columns not used: {describe_headers(unmapped)}")
    notes.append(f"dates read as {date_order}")
    result = IngestResult(
        transactions=transactions,
        rejected=rejected,
        rows_read=table.rows_read,
        column_mapping=column_mapping,
        mapping_details=details,
        unmapped_columns=unmapped,
        file_format=table.file_format,
        compression=table.compression,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet_name=table.sheet_name,
        header_row=table.header_row,
        date_format=date_order,
        notes=notes,
        warnings=warnings,
    )
    if len(transactions) == 0:
        raise EveryRowRejected(every_row_rejected_message(result, REASON_COLUMNS), result)
    return result


def _with_time_of_day(
    name: str, stamps: pd.Series, proposal: MappingProposal, cells: pd.DataFrame, notes: list[str]
) -> pd.Series:
    """The dates of ``name`` with the time of day of their separate time column, where the file has one."""
    header = proposal.time_columns.get(name)
    if header is None:
        return stamps
    combined, unreadable = add_time_of_day(stamps, values.clean_text(cells[header]))
    notes.append(f"{name.replace('_', ' ')}s take their time of day from {header!r}")
    if unreadable:
        notes.append(f"{unreadable:,} value(s) in {header!r} are no time of day; those rows keep their date alone")
    return combined


def _parse_amounts(text: pd.Series, placeholders: MissingValues) -> values.ParsedAmounts:
    """Amounts, with placeholders among the unreadable values ("-", "n/a") counted as missing."""
    parsed = values.parse_amounts(text)
    found = placeholders.among(text, (parsed.values.isna() & ~parsed.missing).to_numpy())
    if not found.any():
        return parsed
    return values.ParsedAmounts(parsed.values, parsed.missing | found, parsed.convention)


def _amounts(
    column: Callable[[str], pd.Series],
    mapping: dict[str, str],
    reject: Callable[[np.ndarray | pd.Series, str], None],
    notes: list[str],
    placeholders: MissingValues,
) -> np.ndarray:
    """The signed amount of every row, rejecting rows whose amount is missing or unreadable."""
    if "amount" in mapping:
        parsed = _parse_amounts(column("amount"), placeholders)
        reject(parsed.missing, REASON_MISSING_AMOUNT)
        reject(parsed.values.isna(), REASON_BAD_AMOUNT)
        _note_convention(parsed, mapping["amount"], notes)
        amounts = parsed.values.to_numpy()
        if "debit_credit_indicator" in mapping:
            amounts = _signed_by_indicator(amounts, column("debit_credit_indicator"), reject, notes)
        return amounts
    debit = _parse_amounts(column("debit"), placeholders) if "debit" in mapping else None
    credit = _parse_amounts(column("credit"), placeholders) if "credit" in mapping else None
    both_missing = np.ones(len(column("debit" if debit is not None else "credit")), dtype=bool)
    for side, reason, name in ((debit, REASON_BAD_DEBIT, "debit"), (credit, REASON_BAD_CREDIT, "credit")):
        if side is not None:
            reject(side.values.isna() & ~side.missing, reason)
            both_missing &= side.missing.to_numpy()
            _note_convention(side, mapping[name], notes)
    reject(both_missing, REASON_MISSING_AMOUNT)
    return values.combine_debit_credit(debit, credit).to_numpy()


def _signed_by_indicator(
    amounts: np.ndarray,
    indicator: pd.Series,
    reject: Callable[[np.ndarray | pd.Series, str], None],
    notes: list[str],
) -> np.ndarray:
    """Credits negative, debits positive, as the indicator column says (S/H, D/C, DR/CR ...)."""
    sign = debit_credit.signs(indicator)
    reject(indicator.isna().to_numpy(), REASON_MISSING_SIGN)
    reject(np.isnan(sign), REASON_BAD_SIGN)
    signed, already_signed = debit_credit.apply_signs(amounts, sign)
    if already_signed:
        notes.append("amounts already carry their sign; the debit/credit indicator agrees with it")
    else:
        notes.append("amounts signed by the debit/credit indicator (credits negative)")
    return values.round_cents(signed)


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
