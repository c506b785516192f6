"""The lines the duplicate tests compare: payment/expense-side lines with a non-zero amount (and a
vendor, where the file has vendors), less the reversals and credit notes that cancel a line.

Text columns are factorised once into integer codes (raw spelling and normalised form), so every
test below works on integer arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.duplicates.groups import block_labels
from fintrace_pipeline.analytics.duplicates.normalize import normalize_invoice, normalize_vendor


@dataclass(frozen=True)
class TextCodes:
    """A text column as integer codes (-1 = blank) into ``names``; ``norm`` codes index ``norm_names``
    and are assigned in sorted order of the normalised names."""

    code: np.ndarray
    names: np.ndarray
    norm: np.ndarray
    norm_names: np.ndarray


@dataclass
class Candidates:
    position: np.ndarray  # into the transactions frame
    row_number: np.ndarray
    posting_date: np.ndarray  # datetime64[ns]
    day: np.ndarray  # whole days since the epoch
    rank: np.ndarray  # order by (posting date, row number)
    cents: np.ndarray  # absolute amount in whole cents
    sign: np.ndarray  # +1 / -1
    vendor: TextCodes | None
    invoice: TextCodes | None
    je_number: TextCodes | None
    stats: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.position)


def text_codes(values: pd.Series, normalize: Any = None) -> TextCodes:
    code, names = pd.factorize(text_values(values), use_na_sentinel=True)
    names = np.asarray(names, dtype=object)
    if normalize is None:
        return TextCodes(code.astype(np.int64), names, code.astype(np.int64), names)
    normalised = normalize(pd.Series(names, dtype="string")) if len(names) else pd.Series([], dtype="string")
    norm_of_name, norm_names = pd.factorize(normalised, sort=True)
    norm = np.where(code >= 0, norm_of_name[np.maximum(code, 0)] if len(names) else -1, -1)
    return TextCodes(code.astype(np.int64), names, norm.astype(np.int64), np.asarray(norm_names, dtype=object))


def select_candidates(
    transactions: pd.DataFrame,
    use_vendor: bool,
    use_invoice: bool,
    drop_alpha_prefix: bool,
    reversal_pattern: str | None,
) -> Candidates:
    """The comparable lines of ``transactions`` with reversal pairs removed (see the module docstring)."""
    amounts = transactions["amount"].to_numpy(dtype="float64")
    signed_cents = np.rint(np.nan_to_num(amounts, nan=0.0) * 100).astype(np.int64)
    eligible = signed_cents != 0
    stats: dict[str, Any] = {"lines": int(len(transactions)), "zero_amount_lines": int((~eligible).sum())}
    if use_vendor:
        has_vendor = text_values(transactions["vendor"]).notna().to_numpy()
        stats["lines_without_vendor"] = int((eligible & ~has_vendor).sum())
        eligible &= has_vendor
    position = np.flatnonzero(eligible)
    subset = transactions.iloc[position]

    def codes(column: str, normalize: Any = None) -> TextCodes | None:
        present = column in transactions.columns
        return text_codes(subset[column], normalize) if present else None

    vendor = codes("vendor", normalize_vendor) if use_vendor else None
    invoice = codes("invoice_number", lambda s: normalize_invoice(s, drop_alpha_prefix)) if use_invoice else None
    posting = subset["posting_date"].to_numpy(dtype="datetime64[ns]")
    rows = subset["row_number"].to_numpy(dtype=np.int64)
    order = np.lexsort((rows, posting))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    cents = signed_cents[position]
    description = text_values(subset["description"]) if reversal_pattern and "description" in subset.columns else None
    candidates = Candidates(
        position=position,
        row_number=rows,
        posting_date=posting,
        day=posting.astype("datetime64[D]").astype(np.int64),
        rank=rank,
        cents=np.abs(cents),
        sign=np.sign(cents).astype(np.int64),
        vendor=vendor,
        invoice=invoice,
        # Journal entries only tell lines apart when there are no vendors to do it.
        je_number=None if use_vendor else codes("je_number"),
    )
    removed = _reversal_lines(candidates, description, reversal_pattern, stats)
    stats["candidate_lines"] = int((~removed).sum())
    return _subset(candidates, ~removed, stats)


def _offsetting_pairs(key: np.ndarray, sign: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Lines of opposite sign sharing ``key``, paired in posting order (the k-th debit with the k-th
    credit), as far as both sides have lines. Returns a mask of the paired lines."""
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


def _reversal_lines(
    candidates: Candidates, description: pd.Series | None, reversal_pattern: str | None, stats: dict[str, Any]
) -> np.ndarray:
    """Mask of lines that cancel out: opposite-signed lines of one vendor, invoice and amount; and lines
    described as a reversal, together with the latest earlier opposite line of that vendor and amount."""
    n = len(candidates)
    vendor = candidates.vendor.norm if candidates.vendor is not None else np.zeros(n, dtype=np.int64)
    removed = np.zeros(n, dtype=bool)
    if candidates.invoice is not None:
        key = block_labels(vendor, candidates.invoice.norm, candidates.cents)
        removed = _offsetting_pairs(key, candidates.sign, candidates.rank)
    stats["offsetting_invoice_lines_removed"] = int(removed.sum())
    stats["described_reversals_removed"] = 0
    stats["lines_reversed_by_description"] = 0
    if description is None or n == 0:
        return removed
    matches = description.str.contains(reversal_pattern, case=False, regex=True).fillna(False)
    described = matches.to_numpy(dtype=bool, copy=True)
    described &= ~removed
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
        if codes is None:
            return None
        return TextCodes(codes.code[keep], codes.names, codes.norm[keep], codes.norm_names)

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
        stats=stats,
    )
