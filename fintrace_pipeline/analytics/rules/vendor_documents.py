"""A vendor's documents for the history rules: the journal entries that name the vendor (each line where
the file does not number its entries), with their totals, and which of them settle an earlier one.

A document's total is the sum of its debits (its one amount for a single line). A document that has
the vendor and the total of the vendor's previous document of that total pays or repeats it (the
payment of an invoice, most often): it is the earlier document's settlement, not new business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.duplicates.documents import entry_codes


@dataclass(frozen=True)
class VendorDocuments:
    line_document: np.ndarray  # per line: its document (-1 for a line without a vendor or an amount)
    vendor: np.ndarray  # per document: the vendor's name
    cents: np.ndarray  # per document: its total in cents
    day: np.ndarray  # per document: its first posting date (datetime64[D])
    first_row: np.ndarray  # per document: its first row number
    names: np.ndarray  # per document: its entry number, or "row N" without one
    settles: np.ndarray  # per document: the earlier document it settles, -1 for new business

    def __len__(self) -> int:
        return len(self.vendor)

    def settled_by(self) -> np.ndarray:
        """Per document: the later document that settles it, -1 for none."""
        later = np.full(len(self), -1, dtype=np.int64)
        settling = np.flatnonzero(self.settles >= 0)
        later[self.settles[settling]] = settling
        return later


def vendor_documents(transactions: pd.DataFrame) -> VendorDocuments:
    """The documents of every line that names a vendor and has an amount."""
    vendor = text_values(transactions["vendor"]).to_numpy(dtype=object, na_value=None)
    amount = transactions["amount"].to_numpy(dtype="float64")
    usable = pd.notna(vendor) & np.isfinite(amount)
    rows = transactions["row_number"].to_numpy(dtype=np.int64)
    if "je_number" in transactions.columns:
        entry, entry_names = entry_codes(transactions)
    else:
        entry, entry_names = np.arange(len(transactions), dtype=np.int64), np.full(len(transactions), None)
    positions = np.flatnonzero(usable)
    codes, entries = pd.factorize(entry[positions], sort=False)
    line_document = np.full(len(transactions), -1, dtype=np.int64)
    line_document[positions] = codes
    n = len(entries)
    cents = np.rint(amount[positions] * 100).astype(np.int64)
    debits = np.bincount(codes, weights=np.maximum(cents, 0), minlength=n)
    magnitude = np.bincount(codes, weights=np.abs(cents), minlength=n)
    total = np.where(debits > 0, debits, magnitude).astype(np.int64)
    first = positions[np.unique(codes, return_index=True)[1]] if n else np.zeros(0, dtype=np.int64)
    day = transactions["posting_date"].to_numpy().astype("datetime64[D]")
    first_day = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    frame = pd.DataFrame({"doc": codes, "day": day[positions]}).groupby("doc")["day"].min()
    first_day[frame.index.to_numpy()] = frame.to_numpy().astype("datetime64[D]")
    names = np.asarray(entry_names, dtype=object)[np.asarray(entries, dtype=np.int64)] if n else np.zeros(0, object)
    names = np.where(pd.isna(names), np.char.add("row ", rows[first].astype(str)).astype(object), names)
    doc_vendor = vendor[first]
    return VendorDocuments(
        line_document=line_document,
        vendor=doc_vendor,
        cents=total,
        day=first_day,
        first_row=rows[first],
        names=names,
        settles=_settlements(doc_vendor, total, first_day, rows[first]),
    )


def _settlements(vendor: np.ndarray, cents: np.ndarray, day: np.ndarray, first_row: np.ndarray) -> np.ndarray:
    """Per document the previous document (by date, then row) of the same vendor and total, -1 for the first."""
    settles = np.full(len(vendor), -1, dtype=np.int64)
    if not len(vendor):
        return settles
    key = pd.factorize(pd.Series(vendor, dtype=object).astype(str) + "\x00" + cents.astype(str))[0]
    order = np.lexsort((first_row, day.astype(np.int64), key))
    same = key[order][1:] == key[order][:-1]
    settles[order[1:][same]] = order[:-1][same]
    return settles
