"""The six duplicate-payment tests: each turns the candidate lines into duplicate groups and says, for
every flagged member, why it duplicates its earlier twin (one reason line and the numbers behind it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import pdtrc

from fintrace_pipeline.analytics.duplicates.candidates import Candidates, TextCodes
from fintrace_pipeline.analytics.duplicates.groups import Groups, block_labels, group_members, link_name_variants
from fintrace_pipeline.analytics.duplicates.normalize import edit_distances_within
from fintrace_pipeline.analytics.rules.common import iso_days, money


@dataclass(frozen=True)
class CheckOutcome:
    """The groups of one test and, per flagged member (``groups.first`` False, in member order), its
    reason and details."""

    code: str
    groups: Groups
    reasons: list[str]
    details: list[dict[str, Any]]
    severity: str | None = None  # None: the rule's catalogue severity
    chance: dict[str, Any] | None = None  # the test against coincidence, where the check makes one


def _names(codes: TextCodes, index: np.ndarray) -> list[str | None]:
    raw = codes.code[index]
    return [None if c < 0 else str(codes.names[c]) for c in raw.tolist()]


@dataclass(frozen=True)
class _Pairs:
    """Flagged members and their twins, with the values reasons quote."""

    member: np.ndarray
    twin: np.ndarray
    rows: list[int]
    twin_rows: list[int]
    twin_dates: list[str]
    amounts: list[float]

    @classmethod
    def of(cls, candidates: Candidates, groups: Groups) -> _Pairs:
        flagged = ~groups.first
        member, twin = groups.member[flagged], groups.twin[flagged]
        return cls(
            member,
            twin,
            candidates.row_number[member].tolist(),
            candidates.row_number[twin].tolist(),
            iso_days(candidates.posting_date[twin]).tolist(),
            (candidates.cents[member] / 100).tolist(),
        )


def _base_details(pairs: _Pairs, group_ids: list[str]) -> list[dict[str, Any]]:
    return [
        {"group_id": g, "twin_row_number": r, "twin_posting_date": d, "amount": a}
        for g, r, d, a in zip(group_ids, pairs.twin_rows, pairs.twin_dates, pairs.amounts, strict=True)
    ]


def group_ids(code: str, groups: Groups, flagged_only: bool = True) -> list[str]:
    group = groups.group[~groups.first] if flagged_only else groups.group
    return [f"{code}-{g + 1:06d}" for g in group.tolist()]


def exact(candidates: Candidates) -> CheckOutcome:
    """Same vendor, invoice number and amount (raw spellings)."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.code, invoice.code, candidates.cents)
    groups = group_members(candidates.rank, block)
    pairs = _Pairs.of(candidates, groups)
    vendors, invoices = _names(vendor, pairs.member), _names(invoice, pairs.member)
    reasons = [
        f"Same vendor {v}, invoice {i} and amount {money(a)} as row {r} (posted {d})"
        for v, i, a, r, d in zip(vendors, invoices, pairs.amounts, pairs.twin_rows, pairs.twin_dates, strict=True)
    ]
    details = _base_details(pairs, group_ids("DUP_EXACT", groups))
    for entry, v, i in zip(details, vendors, invoices, strict=True):
        entry.update(vendor=v, invoice_number=i)
    return CheckOutcome("DUP_EXACT", groups, reasons, details)


def invoice_amount_diff(candidates: Candidates) -> CheckOutcome:
    """Same vendor and invoice number, different amount. Sign is part of the block: a partial credit
    note against an invoice is not a second bill for it."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.code, invoice.code, candidates.sign + 1)
    groups = group_members(candidates.rank, block, member_key=candidates.cents)
    pairs = _Pairs.of(candidates, groups)
    vendors, invoices = _names(vendor, pairs.member), _names(invoice, pairs.member)
    twin_amounts = (candidates.cents[pairs.twin] / 100).tolist()
    reasons = [
        f"Same vendor {v} and invoice {i} as row {r} (posted {d}) but amount {money(a)} instead of {money(ta)}"
        for v, i, a, ta, r, d in zip(
            vendors, invoices, pairs.amounts, twin_amounts, pairs.twin_rows, pairs.twin_dates, strict=True
        )
    ]
    details = _base_details(pairs, group_ids("DUP_INVOICE_AMOUNT_DIFF", groups))
    for entry, v, i, ta, a in zip(details, vendors, invoices, twin_amounts, pairs.amounts, strict=True):
        entry.update(vendor=v, invoice_number=i, twin_amount=ta, difference=round(a - ta, 2))
    return CheckOutcome("DUP_INVOICE_AMOUNT_DIFF", groups, reasons, details)


# Below this Poisson tail probability the near-date pairs are more than chance explains.
CHANCE_ALPHA = 0.01
# Coincidences are called routine only where chance predicts at least this many pairs; below it a
# file is too small for the test to tell, and the pairs keep the rule's severity.
MIN_EXPECTED_PAIRS = 5.0


def expected_chance_pairs(candidates: Candidates, window_days: int) -> float:
    """How many same-vendor, same-amount pairs within ``window_days`` the file would show if amounts
    fell at random: each line's earlier lines of its vendor in the window, times how often the file
    as a whole carries its exact amount. Busy card terminals with small everyday amounts meet by chance
    hundreds of times a month; supplier invoices almost never do."""
    vendor = candidates.vendor
    assert vendor is not None
    known = vendor.norm >= 0
    cents, day, code = candidates.cents[known], candidates.day[known], vendor.norm[known]
    if len(cents) < 2:
        return 0.0
    _, amount_index, amount_count = np.unique(cents, return_inverse=True, return_counts=True)
    share = amount_count[amount_index] / len(cents)
    order = np.lexsort((day, code))
    span = int(day.max() - day.min()) + window_days + 1
    key = code[order].astype(np.int64) * span + (day[order] - day.min())
    earlier_in_window = np.arange(len(key)) - np.searchsorted(key, key - window_days, side="left")
    return float(np.sum(earlier_in_window * share[order]))


def _chance_test(observed: int, expected: float) -> dict[str, Any]:
    # pdtrc(k, m) = P(X > k) for X ~ Poisson(m): the chance of at least ``observed`` pairs.
    p_value = float(pdtrc(observed - 1, expected)) if observed else 1.0
    return {
        "observed_pairs": observed,
        "expected_by_chance": round(expected, 2),
        "p_value": round(p_value, 6),
        "explained_by_chance": expected >= MIN_EXPECTED_PAIRS and p_value >= CHANCE_ALPHA,
    }


def vendor_amount_near_date(candidates: Candidates, window_days: int) -> CheckOutcome:
    """Same (normalised) vendor and amount within ``window_days`` under different invoice numbers or
    none. Lines repeating an invoice number already met in the block are other tests' business.

    When the file holds no more such pairs than chance predicts for its volumes and amounts, the
    pairs are still listed, at low severity and saying so: there they are coincidences far more often
    than double payments."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None
    block = block_labels(vendor.norm, candidates.cents)
    invoice_key = invoice.norm if invoice is not None else None
    groups = group_members(
        candidates.rank, block, member_key=invoice_key, day=candidates.day, max_gap_days=window_days, twin="previous"
    )
    pairs = _Pairs.of(candidates, groups)
    vendors = _names(vendor, pairs.member)
    gaps = (candidates.day[pairs.member] - candidates.day[pairs.twin]).tolist()
    if invoice is not None:
        invoices, twin_invoices = _names(invoice, pairs.member), _names(invoice, pairs.twin)
    else:
        invoices = twin_invoices = [None] * len(pairs.member)
    reasons = []
    for v, a, r, d, gap, i, ti in zip(
        vendors, pairs.amounts, pairs.twin_rows, pairs.twin_dates, gaps, invoices, twin_invoices, strict=True
    ):
        when = "on the same day" if gap == 0 else f"{gap} day{'s' if gap != 1 else ''} earlier"
        if i is None and ti is None:
            numbers = "neither with an invoice number"
        else:
            numbers = f"under a different invoice number ({i or 'none'} vs {ti or 'none'})"
        reasons.append(f"Same vendor {v} and amount {money(a)} as row {r} posted {when} ({d}), {numbers}")
    chance = _chance_test(len(pairs.member), expected_chance_pairs(candidates, window_days))
    if chance["explained_by_chance"]:
        note = (
            f"; the file has about as many such pairs as chance predicts ({chance['observed_pairs']} found, "
            f"{chance['expected_by_chance']:g} expected), so this may be a coincidence"
        )
        reasons = [reason + note for reason in reasons]
    details = _base_details(pairs, group_ids("DUP_VENDOR_AMOUNT_NEAR_DATE", groups))
    for entry, v, gap, i, ti in zip(details, vendors, gaps, invoices, twin_invoices, strict=True):
        entry.update(vendor=v, days_apart=gap, invoice_number=i, twin_invoice_number=ti)
    severity = "low" if chance["explained_by_chance"] else None
    return CheckOutcome("DUP_VENDOR_AMOUNT_NEAR_DATE", groups, reasons, details, severity=severity, chance=chance)


def invoice_normalized(candidates: Candidates) -> CheckOutcome:
    """Invoice numbers equal once normalised (but spelt differently), same normalised vendor and amount."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.norm, invoice.norm, candidates.cents)
    groups = group_members(candidates.rank, block, member_key=invoice.code)
    pairs = _Pairs.of(candidates, groups)
    vendors = _names(vendor, pairs.member)
    invoices, twin_invoices = _names(invoice, pairs.member), _names(invoice, pairs.twin)
    normalised = [str(invoice.norm_names[c]) for c in invoice.norm[pairs.member].tolist()]
    reasons = [
        f"Invoice {i} equals invoice {ti} of row {r} (posted {d}) once case, spacing, punctuation and "
        f"leading zeros are ignored; same vendor {v} and amount {money(a)}"
        for i, ti, r, d, v, a in zip(
            invoices, twin_invoices, pairs.twin_rows, pairs.twin_dates, vendors, pairs.amounts, strict=True
        )
    ]
    details = _base_details(pairs, group_ids("DUP_INVOICE_NORMALIZED", groups))
    for entry, v, i, ti, n in zip(details, vendors, invoices, twin_invoices, normalised, strict=True):
        entry.update(vendor=v, invoice_number=i, twin_invoice_number=ti, normalized_invoice=n)
    return CheckOutcome("DUP_INVOICE_NORMALIZED", groups, reasons, details)


def vendor_name_variant(candidates: Candidates, max_distance: int, min_length: int, window: int) -> CheckOutcome:
    """Same normalised invoice and amount under vendor names that are variants of each other."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(invoice.norm, candidates.cents)
    linked = link_name_variants(block, vendor.code, vendor.norm, vendor.norm_names, max_distance, min_length, window)
    groups = group_members(candidates.rank, linked, member_key=vendor.code)
    pairs = _Pairs.of(candidates, groups)
    vendors, twin_vendors = _names(vendor, pairs.member), _names(vendor, pairs.twin)
    invoices = _names(invoice, pairs.member)
    norms = [str(vendor.norm_names[c]) for c in vendor.norm[pairs.member].tolist()]
    twin_norms = [str(vendor.norm_names[c]) for c in vendor.norm[pairs.twin].tolist()]
    # Members of one component may be linked only through a third name, so measure each pair itself.
    measured = edit_distances_within(
        np.asarray(norms, dtype=object), np.asarray(twin_norms, dtype=object), max_distance
    ).tolist()
    distances: list[int | None] = [d if d <= max_distance else None for d in measured]
    reasons = []
    for v, tv, dist, i, a, r, d in zip(
        vendors, twin_vendors, distances, invoices, pairs.amounts, pairs.twin_rows, pairs.twin_dates, strict=True
    ):
        if dist == 0:
            how = "names equal once case, punctuation and legal forms are ignored"
        elif dist is None:
            how = "names linked through other spellings of the same name"
        else:
            how = f"names {dist} edit{'s' if dist != 1 else ''} apart"
        reasons.append(
            f"Vendor {v} is a variant of {tv} (row {r}, posted {d}; {how}) with the same invoice {i} "
            f"and amount {money(a)}"
        )
    details = _base_details(pairs, group_ids("DUP_VENDOR_NAME_VARIANT", groups))
    for entry, v, tv, i, dist in zip(details, vendors, twin_vendors, invoices, distances, strict=True):
        entry.update(vendor=v, twin_vendor=tv, invoice_number=i, edit_distance=dist)
    return CheckOutcome("DUP_VENDOR_NAME_VARIANT", groups, reasons, details)


def same_amount_date_diff_vendor(candidates: Candidates, min_amount: float) -> CheckOutcome:
    """Same amount on the same posting date to different (normalised) vendors, amounts ≥ ``min_amount``.

    Without a vendor column the lines are told apart by journal entry instead (same signed amount, so
    the two sides of one entry never match), or not at all when there is no entry number either.
    """
    vendor, entry = candidates.vendor, candidates.je_number
    large = candidates.cents >= round(min_amount * 100)
    if vendor is not None:
        block = block_labels(candidates.day, candidates.cents)
        member_key: np.ndarray | None = vendor.norm
    else:
        block = block_labels(candidates.day, candidates.cents, candidates.sign + 1)
        member_key = entry.code if entry is not None else None
    block = np.where(large, block, -1)
    groups = group_members(candidates.rank, block, member_key=member_key)
    pairs = _Pairs.of(candidates, groups)
    dates = iso_days(candidates.posting_date[pairs.member]).tolist()
    details = _base_details(pairs, group_ids("DUP_SAME_AMOUNT_DATE_DIFF_VENDOR", groups))
    reasons = []
    if vendor is not None:
        vendors, twin_vendors = _names(vendor, pairs.member), _names(vendor, pairs.twin)
        for a, d, r, v, tv, detail in zip(
            pairs.amounts, dates, pairs.twin_rows, vendors, twin_vendors, details, strict=True
        ):
            reasons.append(f"Same amount {money(a)} on {d} as row {r}, paid to a different vendor ({v} vs {tv})")
            detail.update(vendor=v, twin_vendor=tv)
    elif entry is not None:
        entries, twin_entries = _names(entry, pairs.member), _names(entry, pairs.twin)
        for a, d, r, e, te, detail in zip(
            pairs.amounts, dates, pairs.twin_rows, entries, twin_entries, details, strict=True
        ):
            reasons.append(
                f"Same amount {money(a)} on {d} as row {r}, in another journal entry ({e} vs {te}); "
                f"the file names no vendors"
            )
            detail.update(je_number=e, twin_je_number=te)
    else:
        for a, d, r in zip(pairs.amounts, dates, pairs.twin_rows, strict=True):
            reasons.append(f"Same amount {money(a)} on {d} as row {r}; the file names no vendors")
    return CheckOutcome("DUP_SAME_AMOUNT_DATE_DIFF_VENDOR", groups, reasons, details)
