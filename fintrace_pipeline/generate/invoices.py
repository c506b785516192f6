"""Vendor invoice numbers: per-vendor serial ranges, rendering in each vendor's style, and the
near-miss spellings a second clerk might key for the same invoice."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from fintrace_pipeline.generate.entities import Vendors

# Serials left free after each vendor's range, for invoices added by the injections.
HEADROOM = 2_000


def assign_serials(
    rng: np.random.Generator, vendors: Vendors, line_vendor: np.ndarray, line_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Serial numbers increasing with date within each vendor (with gaps: the vendor bills other
    customers too). Ranges of different vendors never overlap, so every invoice number is unique
    across the ledger even after normalisation. Returns (serials, next free serial per vendor)."""
    order = np.lexsort((np.arange(len(line_vendor)), line_day, line_vendor))
    sorted_vendor = line_vendor[order]
    steps = rng.geometric(0.4, len(order)).astype(np.int64)
    cumulative = np.cumsum(steps)
    group_first = np.r_[True, sorted_vendor[1:] != sorted_vendor[:-1]]
    before_group = np.where(group_first, cumulative - steps, 0)
    before_group = np.maximum.accumulate(before_group)  # carry each group's offset forward
    within = cumulative - before_group

    total = np.bincount(sorted_vendor, weights=steps, minlength=vendors.count).astype(np.int64)
    capacity = total + HEADROOM + rng.integers(0, 5_000, vendors.count)
    layout = rng.permutation(vendors.count)  # ranges in random vendor order
    start = np.empty(vendors.count, dtype=np.int64)
    start[layout] = 1_000 + np.concatenate([[0], np.cumsum(capacity[layout])[:-1]])

    serials = np.empty(len(order), dtype=np.int64)
    serials[order] = start[sorted_vendor] + within
    return serials, start + total + 1


def render(vendors: Vendors, vendor: np.ndarray, serial: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Invoice numbers as the vendor prints them: "INV-10234", "010234", "B/2025/10234", "BH-10234"
    or "10234". Returns an object array of str."""
    out = np.empty(len(vendor), dtype=object)
    style = vendors.style[vendor]
    number = pd.Series(serial, dtype="int64").astype("str")
    code = pd.Series(vendors.code[vendor], dtype="str")
    years = pd.Series(year, dtype="int64").astype("str")
    renderers = (
        lambda m: "INV-" + number[m],
        lambda m: number[m].str.zfill(6),
        lambda m: code[m].str[0] + "/" + years[m] + "/" + number[m],
        lambda m: code[m] + "-" + number[m],
        lambda m: number[m],
    )
    for s, make in enumerate(renderers):
        mask = style == s
        if mask.any():
            out[mask] = make(mask).to_numpy(dtype=object)
    return out


def normalized_variant(invoice: str, rng: np.random.Generator) -> str:
    """The same invoice number keyed differently ("INV-0042" -> "inv 0042", "INV-042", "INV0042"):
    case, spacing, punctuation or the leading zeros of its first number differ, so it equals
    ``invoice`` only once those are ignored. Zeros are only ever added or removed at the front of the
    first number, where every reasonable normaliser strips them, punctuation removed or not."""
    variants = [
        re.sub(r"[^0-9A-Za-z]+", " ", invoice).lower(),
        re.sub(r"\d", lambda m: "0" + m.group(0), invoice, count=1),
        re.sub(r"[^0-9A-Za-z]+", "", invoice),
        re.sub(r"0+(?=\d)", "", invoice, count=1) if re.match(r"\D*0", invoice) else invoice,
    ]
    for i in rng.permutation(len(variants)):
        if variants[i] != invoice:
            return variants[i]
    return "0" + invoice  # unreachable: the leading-zero variant always differs
