"""The units the duplicate tests compare, less the reversals and credit notes that cancel one.

Where the file numbers its journal entries the unit is the document of an entry (see ``documents``):
the lines of an entry never duplicate each other, and an invoice is compared with other invoices, not
with its payment or its reversal. Without entry numbers (payment registers, card files) the unit is
the line: lines with a non-zero amount (and a vendor, where the file has vendors); opposite-signed
lines of one vendor, invoice and amount cancel, and so does a line described as a reversal with the
latest earlier opposite line of that vendor and amount.

Text columns are factorised once into integer codes (raw spelling and normalised form), so every
test works on integer arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.duplicates.documents import (
    build_documents,
    cancelled,
    entry_codes,
    offsetting_pairs,
    referenced_entries,
)
from fintrace_pipeline.analytics.duplicates.groups import block_labels
from fintrace_pipeline.analytics.duplicates.normalize import normalize_invoice, normalize_vendor
from fintrace_pipeline.analytics.duplicates.units import Postings, TextCodes, UnitLines, text_codes

__all__ = ["Candidates", "TextCodes", "select_candidates", "text_codes"]


@dataclass
class Candidates:
    """The compared units (lines, or documents of journal entries), one element each."""

    position: np.ndarray  # into the transactions frame: the unit's first line
    row_number: np.ndarray  # of that line
    posting_date: np.ndarray  # datetime64[ns]
    day: np.ndarray  # whole days since the epoch
    rank: np.ndarray  # order by (posting date, row number)
    cents: np.ndarray  # absolute amount in whole cents
    sign: np.ndarray  # +1 / -1
    vendor: TextCodes | None
    invoice: TextCodes | None
    je_number: TextCodes | None  # documents: the entry's number
    lines: UnitLines  # every line of each unit
    postings: Postings | None  # documents: how each one's entry posts; None for lines
    stats: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.position)

    @property
    def documents(self) -> bool:
        return self.postings is not None

    @property
    def entry(self) -> np.ndarray | None:
        """Per document its entry (None for lines)."""
        return self.postings.entry if self.postings is not None else None


def select_candidates(
    transactions: pd.DataFrame,
    use_vendor: bool,
    use_invoice: bool,
    drop_alpha_prefix: bool,
    reversal_pattern: str | None,
    use_entries: bool = False,
) -> Candidates:
    """The comparable units of ``transactions`` with reversals removed (see the module docstring):
    documents of journal entries with ``use_entries``, else lines."""
    amounts = transactions["amount"].to_numpy(dtype="float64")
    signed_cents = np.rint(np.nan_to_num(amounts, nan=0.0) * 100).astype(np.int64)
    eligible = signed_cents != 0
    stats: dict[str, Any] = {
        "unit": "document" if use_entries else "line",
        "lines": int(len(transactions)),
        "zero_amount_lines": int((~eligible).sum()),
    }
    live = np.flatnonzero(eligible)
    if use_vendor:
        has_vendor = text_values(transactions["vendor"]).notna().to_numpy()
        stats["lines_without_vendor"] = int((eligible & ~has_vendor).sum())
        eligible &= has_vendor
    member = np.flatnonzero(eligible)
    subset = transactions.iloc[member]
    vendor = text_codes(subset["vendor"], normalize_vendor) if use_vendor else None
    invoice = (
        text_codes(subset["invoice_number"], lambda s: normalize_invoice(s, drop_alpha_prefix)) if use_invoice else None
    )
    described = _described(transactions, reversal_pattern)
    if use_entries:
        return _documents(transactions, signed_cents, live, member, vendor, invoice, described, stats)
    return _lines(transactions, signed_cents, member, vendor, invoice, described, stats)


def _described(transactions: pd.DataFrame, reversal_pattern: str | None) -> np.ndarray | None:
    """Per line, whether its description marks a reversal (None when not looked for)."""
    if not reversal_pattern or "description" not in transactions.columns:
        return None
    # Descriptions repeat a lot: match each distinct one once.
    code, distinct = pd.factorize(text_values(transactions["description"]), use_na_sentinel=True)
    matches = pd.Series(distinct, dtype="string").str.contains(reversal_pattern, case=False, regex=True)
    matched = np.append(matches.fillna(False).to_numpy(dtype=bool), False)
    return matched[code]


def _ranked(posting: np.ndarray, rows: np.ndarray) -> np.ndarray:
    order = np.lexsort((rows, posting))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _lines(
    transactions: pd.DataFrame,
    signed_cents: np.ndarray,
    member: np.ndarray,
    vendor: TextCodes | None,
    invoice: TextCodes | None,
    described: np.ndarray | None,
    stats: dict[str, Any],
) -> Candidates:
    posting = transactions["posting_date"].to_numpy(dtype="datetime64[ns]")[member]
    rows = transactions["row_number"].to_numpy(dtype=np.int64)[member]
    cents = signed_cents[member]
    candidates = Candidates(
        position=member,
        row_number=rows,
        posting_date=posting,
        day=posting.astype("datetime64[D]").astype(np.int64),
        rank=_ranked(posting, rows),
        cents=np.abs(cents),
        sign=np.sign(cents).astype(np.int64),
        vendor=vendor,
        invoice=invoice,
        je_number=None,
        lines=UnitLines.one_each(member),
        postings=None,
    )
    removed = _reversal_lines(candidates, None if described is None else described[member], stats)
    stats["candidate_lines"] = int((~removed).sum())
    return _subset(candidates, ~removed, stats)


def _documents(
    transactions: pd.DataFrame,
    signed_cents: np.ndarray,
    live: np.ndarray,
    member: np.ndarray,
    vendor: TextCodes | None,
    invoice: TextCodes | None,
    described: np.ndarray | None,
    stats: dict[str, Any],
) -> Candidates:
    keys = [codes.code for codes in (vendor, invoice) if codes is not None]
    line_entry, entry_names = entry_codes(transactions)
    documents = build_documents(transactions, signed_cents, live, member, keys, line_entry, entry_names)
    # The documents' first lines, as indices into ``member`` (where the text codes are).
    first = np.searchsorted(member, documents.first)
    posting = transactions["posting_date"].to_numpy(dtype="datetime64[ns]")[documents.first]
    rows = transactions["row_number"].to_numpy(dtype=np.int64)[documents.first]
    entry = documents.postings.entry
    candidates = Candidates(
        position=documents.first,
        row_number=rows,
        posting_date=posting,
        day=posting.astype("datetime64[D]").astype(np.int64),
        rank=_ranked(posting, rows),
        cents=documents.cents,
        sign=documents.sign,
        vendor=vendor.take(first) if vendor is not None else None,
        invoice=invoice.take(first) if invoice is not None else None,
        je_number=_entry_numbers(documents.entry_names, entry, rows),
        lines=documents.lines,
        postings=documents.postings,
    )
    stats["documents"] = len(candidates)
    described_entry = references = None
    if described is not None:
        described_entry = np.zeros(len(documents.entry_names), dtype=bool)
        described_lines = live[described[live]]
        described_entry[line_entry[described_lines]] = True
        references = referenced_entries(transactions, line_entry, entry_names, described_lines)
    none = np.zeros(len(candidates), dtype=np.int64) - 1
    removed = cancelled(
        documents,
        candidates.vendor.norm if candidates.vendor is not None else none,
        candidates.invoice.norm if candidates.invoice is not None else none,
        candidates.rank,
        described_entry,
        references if references is not None else (none[:0], none[:0]),
        stats,
    )
    stats["candidate_documents"] = int((~removed).sum())
    return _subset(candidates, ~removed, stats)


def _entry_numbers(entry_names: np.ndarray, entry: np.ndarray, rows: np.ndarray) -> TextCodes:
    """Each document's entry number as reasons name it; an entry of a line without a number is named
    by its row ("row 17")."""
    names = entry_names.copy()
    unnumbered = pd.isna(names[entry])
    names[entry[unnumbered]] = [f"row {r}" for r in rows[unnumbered]]
    return TextCodes(entry, names, entry, names)


def _reversal_lines(candidates: Candidates, description: np.ndarray | None, stats: dict[str, Any]) -> np.ndarray:
    """Mask of lines that cancel out: opposite-signed lines of one vendor, invoice and amount; and lines
    described as a reversal, together with the latest earlier opposite line of that vendor and amount."""
    n = len(candidates)
    vendor = candidates.vendor.norm if candidates.vendor is not None else np.zeros(n, dtype=np.int64)
    removed = np.zeros(n, dtype=bool)
    if candidates.invoice is not None:
        key = block_labels(vendor, candidates.invoice.norm, candidates.cents)
        removed = offsetting_pairs(key, candidates.sign, candidates.rank)
    stats["offsetting_invoice_lines_removed"] = int(removed.sum())
    stats["described_reversals_removed"] = 0
    stats["lines_reversed_by_description"] = 0
    if description is None or n == 0:
        return removed
    described = description & ~removed
    stats["described_reversals_removed"] = int(described.sum())
    if described.any():
        key = block_labels(vendor, candidates.cents)
        reversals = pd.DataFrame({"rank": candidates.rank, "key": key, "sign": -candidates.sign})[described]
        open_lines = ~described & ~removed
        originals = pd.DataFrame({"rank": candidates.rank, "key": key, "sign": candidates.sign, "line": np.arange(n)})[
            open_lines
        ]
        matched = pd.merge_asof(
            reversals.sort_values("rank"),
            originals.sort_values("rank"),
            on="rank",
            by=["key", "sign"],
            direction="backward",
        )
        lines = matched["line"].dropna().astype(np.int64).drop_duplicates().to_numpy()
        removed[lines] = True
        stats["lines_reversed_by_description"] = int(len(lines))
    return removed | described


def _subset(candidates: Candidates, keep: np.ndarray, stats: dict[str, Any]) -> Candidates:
    def text(codes: TextCodes | None) -> TextCodes | None:
        return codes.take(keep) if codes is not None else None

    rank = candidates.rank[keep]
    dense = np.empty(len(rank), dtype=np.int64)
    dense[np.argsort(rank, kind="stable")] = np.arange(len(rank))
    return Candidates(
        position=candidates.position[keep],
        row_number=candidates.row_number[keep],
        posting_date=candidates.posting_date[keep],
        day=candidates.day[keep],
        rank=dense,
        cents=candidates.cents[keep],
        sign=candidates.sign[keep],
        vendor=text(candidates.vendor),
        invoice=text(candidates.invoice),
        je_number=text(candidates.je_number),
        lines=candidates.lines.keep(keep),
        postings=candidates.postings.take(keep) if candidates.postings is not None else None,
        stats=stats,
    )
