"""Documents of journal entries: what the duplicate tests compare where the file numbers its entries.

A document is the lines of one entry that carry one vendor and invoice number (without a vendor
column: one invoice number, or none, so a whole entry). Its side is the side its lines carry more on;
its amount is the entry's total on that side where no other document of the entry has lines there,
else its own lines' total. So an invoice keyed with the vendor on the AP line only, on the expense
lines only or on every line has the same amount, and the two sides of one entry are one document.

Each document knows how its entry posts (the account and side of every line). Two documents are
compared only when their entries post some account on the same side: a second invoice credits
accounts payable as the first did, while the payment of an invoice debits it and a reversal swaps
every side. Entries of a single line (a register numbered per payment) are compared by side, as
lines are. A reversal is an entry that posts exactly the accounts of an earlier one with the sides
swapped (same vendor, invoice and amount), or one described as a reversal; it cancels, with the
entry it reverses, before any test runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.duplicates.units import Postings, UnitLines

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
# Characters that end a word in a description when looking for an entry number it names.
_TOKEN = re.compile(r"[^\s,;:()\[\]{}\"']+")


@dataclass(frozen=True)
class Documents:
    """Per document: its lines, entry, side, amount and how its entry posts."""

    lines: UnitLines
    first: np.ndarray  # transaction position of the document's first line
    cents: np.ndarray  # amount in whole cents (positive)
    sign: np.ndarray  # +1 debit side, -1 credit side
    postings: Postings
    orientation: np.ndarray  # per entry: +1 / -1 for the two readings of a posting pattern, 0 when it is its own mirror
    pattern: np.ndarray  # per entry: the same for an entry and its mirror image (sides swapped)
    entry_names: np.ndarray  # per entry: its number as the file writes it (None for unnumbered lines)

    def __len__(self) -> int:
        return len(self.first)


def entry_codes(transactions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per line an entry code, and each code's entry number; a line without a number is an entry of its own."""
    code, names = pd.factorize(text_values(transactions["je_number"]), use_na_sentinel=True)
    code = code.astype(np.int64)
    blank = np.flatnonzero(code < 0)
    code[blank] = len(names) + np.arange(len(blank))
    names = np.concatenate([np.asarray(names, dtype=object), np.full(len(blank), None, dtype=object)])
    return code, names


def build_documents(
    transactions: pd.DataFrame,
    signed_cents: np.ndarray,
    live: np.ndarray,
    member: np.ndarray,
    keys: list[np.ndarray],
    entry: np.ndarray,
    entry_names: np.ndarray,
) -> Documents:
    """Documents of the ``member`` lines (positions), one per entry and combination of ``keys`` (integer
    codes per member line, -1 for blank); ``live`` are the positions of every line with an amount,
    which make up the entries' totals and postings. ``entry``/``entry_names`` are ``entry_codes``."""
    n_entries = len(entry_names)
    parts = {"entry": entry[member]}
    for i, key in enumerate(keys):
        parts[f"k{i}"] = key
    doc = pd.DataFrame(parts).groupby(list(parts), sort=False).ngroup().to_numpy(dtype=np.int64)
    n_docs = int(doc.max()) + 1 if len(doc) else 0
    lines = UnitLines.grouped(doc, member, n_docs)
    first = lines.position[lines.start] if n_docs else np.zeros(0, dtype=np.int64)

    cents = signed_cents[member]
    debit = np.bincount(doc, weights=np.maximum(cents, 0), minlength=n_docs)
    credit = np.bincount(doc, weights=np.maximum(-cents, 0), minlength=n_docs)
    doc_entry = entry[first]
    live_entry, live_cents = entry[live], signed_cents[live]
    entry_debit = np.bincount(live_entry, weights=np.maximum(live_cents, 0), minlength=n_entries)
    entry_credit = np.bincount(live_entry, weights=np.maximum(-live_cents, 0), minlength=n_entries)
    debit_docs = np.bincount(doc_entry, weights=debit > 0, minlength=n_entries)
    credit_docs = np.bincount(doc_entry, weights=credit > 0, minlength=n_entries)
    on_debit = debit >= credit
    amount = np.where(
        on_debit,
        np.where(debit_docs[doc_entry] == 1, entry_debit[doc_entry], debit),
        np.where(credit_docs[doc_entry] == 1, entry_credit[doc_entry], credit),
    )

    postings, orientation, pattern = _entry_postings(transactions, live, live_entry, live_cents, n_entries)
    return Documents(
        lines=lines,
        first=first,
        cents=np.rint(amount).astype(np.int64),
        sign=np.where(on_debit, 1, -1).astype(np.int64),
        postings=Postings(doc_entry, postings.key_start, postings.key_count, postings.keys),
        orientation=orientation,
        pattern=pattern,
        entry_names=entry_names,
    )


def _mix(values: np.ndarray) -> np.ndarray:
    """A 64-bit mixing of integers (splitmix64's finaliser), so sums of mixed keys identify key sets."""
    x = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * _MIX_1
    x = (x ^ (x >> np.uint64(27))) * _MIX_2
    return x ^ (x >> np.uint64(31))


def _entry_postings(
    transactions: pd.DataFrame, live: np.ndarray, live_entry: np.ndarray, live_cents: np.ndarray, n_entries: int
) -> tuple[Postings, np.ndarray, np.ndarray]:
    """Per entry its distinct (account, side) keys, and a hash of that set read both ways."""
    if "account" in transactions.columns:
        account, _ = pd.factorize(text_values(transactions["account"].iloc[live]), use_na_sentinel=True)
        account = account.astype(np.int64) + 1  # 0: no account
    else:
        account = np.zeros(len(live), dtype=np.int64)
    side = (live_cents > 0).astype(np.int64)
    key = 2 * account + side
    # An entry of one line (a register rather than a double-entry ledger) also posts "its side", so
    # such entries compare as lines do, by sign.
    alone = np.bincount(live_entry, minlength=n_entries)[live_entry] == 1
    key = np.concatenate([key, side[alone & (account > 0)]])
    owner = np.concatenate([live_entry, live_entry[alone & (account > 0)]])
    width = int(key.max()) + 1 if len(key) else 1
    pairs = np.sort(owner * width + key)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    entry, keys = pairs // width, pairs % width
    count = np.bincount(entry, minlength=n_entries).astype(np.int64)
    start = np.cumsum(count) - count
    forward = np.zeros(n_entries, dtype=np.uint64)
    mirrored = np.zeros(n_entries, dtype=np.uint64)
    filled = count > 0
    if filled.any():
        with np.errstate(over="ignore"):
            forward[filled] = np.add.reduceat(_mix(keys), start[filled])
            mirrored[filled] = np.add.reduceat(_mix(keys ^ 1), start[filled])
    orientation = np.where(forward < mirrored, 1, np.where(forward > mirrored, -1, 0)).astype(np.int64)
    pattern = np.minimum(forward, mirrored).view(np.int64)
    return Postings(np.zeros(0, dtype=np.int64), start, count, keys), orientation, pattern


def referenced_entries(
    transactions: pd.DataFrame, entry: np.ndarray, entry_names: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(entry of the line, entry its description names) for the lines at ``positions`` whose
    description contains another entry's number as a word ("Reversal of JE-000123")."""
    none = np.zeros(0, dtype=np.int64)
    if not len(positions):
        return none, none
    words = text_values(transactions["description"].iloc[positions]).str.findall(_TOKEN)
    frame = pd.DataFrame({"entry": entry[positions], "word": words.to_numpy()}).explode("word").dropna()
    if frame.empty:
        return none, none
    numbered = pd.Index(entry_names[: np.count_nonzero(pd.notna(entry_names))].astype(str))
    named = numbered.get_indexer(frame["word"].astype(str).str.rstrip("."))
    frame = frame.assign(named=named)
    frame = frame[(frame["named"] >= 0) & (frame["named"] != frame["entry"])].drop_duplicates(["entry", "named"])
    return frame["entry"].to_numpy(dtype=np.int64), frame["named"].to_numpy(dtype=np.int64)


def split_by_postings(block: np.ndarray, postings: Postings | None) -> np.ndarray:
    """``block`` labels refined so that documents share one only when their entries post some account
    on the same side, directly or through other documents of the block. Documents left alone get -1.
    Without postings (lines) the labels stay as they are."""
    if postings is None:
        return block
    out = np.full(len(block), -1, dtype=np.int64)
    valid = np.flatnonzero(block >= 0)
    if not len(valid):
        return out
    size = np.bincount(block[valid])
    units = valid[size[block[valid]] >= 2]
    if not len(units):
        return out
    owner, key = postings.unit_keys(units)
    node_block = block[units][owner]
    order = np.lexsort((owner, key, node_block))
    node_block, key, owner = node_block[order], key[order], owner[order]
    same = (node_block[1:] == node_block[:-1]) & (key[1:] == key[:-1])
    left, right = owner[:-1][same], owner[1:][same]
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(units), len(units)))
    _, component = connected_components(graph, directed=False)
    out[units] = component
    return out


def cancelled(
    documents: Documents,
    vendor: np.ndarray,
    invoice: np.ndarray,
    rank: np.ndarray,
    described_entry: np.ndarray | None,
    references: tuple[np.ndarray, np.ndarray],
    stats: dict[str, Any],
) -> np.ndarray:
    """Mask of documents that cancel out: those of entries described as a reversal and of the entries
    they name (else the latest earlier mirror-image document of the same vendor and amount), then
    pairs of mirror-image documents of one vendor, invoice and amount (the k-th of each reading with
    the k-th of the other, in posting order). ``vendor`` and ``invoice`` are per-document codes
    (normalised, -1 for blank)."""
    n = len(documents)
    entry = documents.postings.entry
    orientation = documents.orientation[entry]
    pattern = documents.pattern[entry]
    removed = np.zeros(n, dtype=bool)
    stats["described_reversals_removed"] = 0
    stats["documents_reversed_by_description"] = 0
    if described_entry is not None and n:
        described = described_entry[entry]
        named = np.zeros(len(documents.entry_names), dtype=bool)
        reverser, reversed_entry = references
        named[reversed_entry] = True
        by_name = named[entry] & ~described
        removed |= described | by_name
        stats["described_reversals_removed"] = int(described.sum())
        unresolved = described & ~np.isin(entry, reverser)
        by_amount = _latest_mirror(vendor, documents.cents, orientation, rank, unresolved, ~removed)
        removed[by_amount] = True
        stats["documents_reversed_by_description"] = int(by_name.sum()) + len(by_amount)
    # Blank vendors and invoices are one value here: a mirror image must match them exactly.
    key = _labels(np.maximum(vendor, -1) + 1, np.maximum(invoice, -1) + 1, documents.cents, pattern)
    key = np.where(removed | (orientation == 0), -1, key)
    mirrored = offsetting_pairs(key, orientation, rank)
    stats["offsetting_documents_removed"] = int(mirrored.sum())
    return removed | mirrored


def _labels(*keys: np.ndarray) -> np.ndarray:
    if not len(keys[0]):
        return np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({f"k{i}": key for i, key in enumerate(keys)})
    return frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(dtype=np.int64)


def _latest_mirror(
    vendor: np.ndarray,
    cents: np.ndarray,
    orientation: np.ndarray,
    rank: np.ndarray,
    reversing: np.ndarray,
    open_: np.ndarray,
) -> np.ndarray:
    """For each ``reversing`` document, the latest earlier ``open_`` document of the same vendor and
    amount read the other way round (indices, each at most once)."""
    if not reversing.any():
        return np.zeros(0, dtype=np.int64)
    key = _labels(vendor + 1, cents)
    frame = pd.DataFrame({"rank": rank, "key": key, "orientation": orientation, "doc": np.arange(len(rank))})
    reversals = frame[reversing & (orientation != 0)].assign(orientation=lambda f: -f["orientation"])
    candidates = frame[open_ & ~reversing & (orientation != 0)]
    if reversals.empty or candidates.empty:
        return np.zeros(0, dtype=np.int64)
    matched = pd.merge_asof(
        reversals.sort_values("rank").drop(columns="doc"),
        candidates.sort_values("rank"),
        on="rank",
        by=["key", "orientation"],
        direction="backward",
    )
    return matched["doc"].dropna().astype(np.int64).drop_duplicates().to_numpy()


def offsetting_pairs(key: np.ndarray, sign: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Units of opposite ``sign`` sharing ``key`` (-1: none), paired in posting order (the k-th of one
    sign with the k-th of the other), as far as both signs have units. Returns a mask of the paired."""
    index = np.flatnonzero(key >= 0)
    paired = np.zeros(len(key), dtype=bool)
    if len(index) == 0:
        return paired
    frame = pd.DataFrame({"key": key[index], "debit": sign[index] > 0, "rank": rank[index], "line": index})
    frame = frame.sort_values("rank")
    side_rank = frame.groupby(["key", "debit"], sort=False).cumcount().to_numpy()
    debits = frame.groupby("key")["debit"].transform("sum").to_numpy()
    credits = frame.groupby("key")["debit"].transform("size").to_numpy() - debits
    paired[frame["line"].to_numpy()[side_rank < np.minimum(debits, credits)]] = True
    return paired
