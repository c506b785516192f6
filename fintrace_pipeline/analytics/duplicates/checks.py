"""The six duplicate-payment tests: each turns the candidate lines into duplicate groups and says, for
every flagged member, why it duplicates its earlier twin (one reason line and the numbers behind it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import pdtrc

from fintrace_pipeline.analytics.columns import iso_days
from fintrace_pipeline.analytics.duplicates.candidates import Candidates, TextCodes
from fintrace_pipeline.analytics.duplicates.groups import Groups, block_labels, group_members, link_name_variants
from fintrace_pipeline.analytics.duplicates.normalize import edit_distances_within
from fintrace_pipeline.analytics.duplicates.options import DuplicateAnalysisOptions
from fintrace_pipeline.rules import RULES, plural_s


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


def exact(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same vendor, invoice number and amount (raw spellings)."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.code, invoice.code, candidates.cents)
    groups = group_members(candidates.rank, block)
    pairs = _Pairs.of(candidates, groups)
    vendors, invoices = _names(vendor, pairs.member), _names(invoice, pairs.member)
    reasons = RULES["DUP_EXACT"].reasons(
        len(pairs.member),
        vendor=vendors,
        invoice=invoices,
        amount=pairs.amounts,
        twin_row=pairs.twin_rows,
        twin_date=pairs.twin_dates,
    )
    details = _base_details(pairs, group_ids("DUP_EXACT", groups))
    for entry, v, i in zip(details, vendors, invoices, strict=True):
        entry.update(vendor=v, invoice_number=i)
    return CheckOutcome("DUP_EXACT", groups, reasons, details)


def invoice_amount_diff(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same vendor and invoice number, different amount. Sign is part of the block: a partial credit
    note against an invoice is not a second bill for it."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.code, invoice.code, candidates.sign + 1)
    groups = group_members(candidates.rank, block, member_key=candidates.cents)
    pairs = _Pairs.of(candidates, groups)
    vendors, invoices = _names(vendor, pairs.member), _names(invoice, pairs.member)
    twin_amounts = (candidates.cents[pairs.twin] / 100).tolist()
    reasons = RULES["DUP_INVOICE_AMOUNT_DIFF"].reasons(
        len(pairs.member),
        vendor=vendors,
        invoice=invoices,
        twin_row=pairs.twin_rows,
        twin_date=pairs.twin_dates,
        amount=pairs.amounts,
        twin_amount=twin_amounts,
    )
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


def vendor_amount_near_date(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same (normalised) vendor and amount within ``near_date_days`` under different invoice numbers or
    none. Lines repeating an invoice number already met in the block are other tests' business.

    When the file holds no more such pairs than chance predicts for its volumes and amounts, the
    pairs are still listed, at low severity and saying so: there they are coincidences far more often
    than double payments."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None
    window_days = options.near_date_days
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
    rule = RULES["DUP_VENDOR_AMOUNT_NEAR_DATE"]
    count = len(pairs.member)
    when = rule.fill_phrases(["same_day" if gap == 0 else "days_earlier" for gap in gaps], days=gaps, s=plural_s(gaps))
    numbers = rule.fill_phrases(
        [
            "no_invoices" if i is None and ti is None else "other_invoice"
            for i, ti in zip(invoices, twin_invoices, strict=True)
        ],
        invoice=[i or "none" for i in invoices],
        twin_invoice=[ti or "none" for ti in twin_invoices],
    )
    chance = _chance_test(count, expected_chance_pairs(candidates, window_days))
    note = ""
    if chance["explained_by_chance"]:
        note = rule.fill_phrases(
            ["chance_note"], observed=chance["observed_pairs"], expected=chance["expected_by_chance"]
        )[0]
    reasons = rule.reasons(
        count,
        vendor=vendors,
        amount=pairs.amounts,
        twin_row=pairs.twin_rows,
        when=when,
        twin_date=pairs.twin_dates,
        invoices=numbers,
        chance=note,
    )
    details = _base_details(pairs, group_ids("DUP_VENDOR_AMOUNT_NEAR_DATE", groups))
    for entry, v, gap, i, ti in zip(details, vendors, gaps, invoices, twin_invoices, strict=True):
        entry.update(vendor=v, days_apart=gap, invoice_number=i, twin_invoice_number=ti)
    severity = rule.severity_step(-1) if chance["explained_by_chance"] else None
    return CheckOutcome("DUP_VENDOR_AMOUNT_NEAR_DATE", groups, reasons, details, severity=severity, chance=chance)


def invoice_normalized(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Invoice numbers equal once normalised (but spelt differently), same normalised vendor and amount."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.norm, invoice.norm, candidates.cents)
    groups = group_members(candidates.rank, block, member_key=invoice.code)
    pairs = _Pairs.of(candidates, groups)
    vendors = _names(vendor, pairs.member)
    invoices, twin_invoices = _names(invoice, pairs.member), _names(invoice, pairs.twin)
    normalised = [str(invoice.norm_names[c]) for c in invoice.norm[pairs.member].tolist()]
    reasons = RULES["DUP_INVOICE_NORMALIZED"].reasons(
        len(pairs.member),
        invoice=invoices,
        twin_invoice=twin_invoices,
        twin_row=pairs.twin_rows,
        twin_date=pairs.twin_dates,
        vendor=vendors,
        amount=pairs.amounts,
    )
    details = _base_details(pairs, group_ids("DUP_INVOICE_NORMALIZED", groups))
    for entry, v, i, ti, n in zip(details, vendors, invoices, twin_invoices, normalised, strict=True):
        entry.update(vendor=v, invoice_number=i, twin_invoice_number=ti, normalized_invoice=n)
    return CheckOutcome("DUP_INVOICE_NORMALIZED", groups, reasons, details)


def vendor_name_variant(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same normalised invoice and amount under vendor names that are variants of each other."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    max_distance = options.name_max_edit_distance
    block = block_labels(invoice.norm, candidates.cents)
    linked = link_name_variants(
        block,
        vendor.code,
        vendor.norm,
        vendor.norm_names,
        max_distance,
        options.name_min_length,
        options.name_compare_window,
    )
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
    rule = RULES["DUP_VENDOR_NAME_VARIANT"]
    how = rule.fill_phrases(
        ["equal" if dist == 0 else "linked" if dist is None else "edits" for dist in distances],
        distance=distances,
        s=plural_s([0 if dist is None else dist for dist in distances]),
    )
    reasons = rule.reasons(
        len(pairs.member),
        vendor=vendors,
        twin_vendor=twin_vendors,
        twin_row=pairs.twin_rows,
        twin_date=pairs.twin_dates,
        how=how,
        invoice=invoices,
        amount=pairs.amounts,
    )
    details = _base_details(pairs, group_ids("DUP_VENDOR_NAME_VARIANT", groups))
    for entry, v, tv, i, dist in zip(details, vendors, twin_vendors, invoices, distances, strict=True):
        entry.update(vendor=v, twin_vendor=tv, invoice_number=i, edit_distance=dist)
    return CheckOutcome("DUP_VENDOR_NAME_VARIANT", groups, reasons, details)


def same_amount_date_diff_vendor(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same amount on the same posting date to different (normalised) vendors, amounts at least
    ``same_date_min_amount``.

    Without a vendor column the lines are told apart by journal entry instead (same signed amount, so
    the two sides of one entry never match), or not at all when there is no entry number either.
    """
    vendor, entry = candidates.vendor, candidates.je_number
    large = candidates.cents >= round(options.same_date_min_amount * 100)
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
    rule, count = RULES["DUP_SAME_AMOUNT_DATE_DIFF_VENDOR"], len(pairs.member)
    if vendor is not None:
        vendors, twin_vendors = _names(vendor, pairs.member), _names(vendor, pairs.twin)
        distinction = rule.fill_phrases(["vendor"] * count, vendor=vendors, twin_vendor=twin_vendors)
        for detail, v, tv in zip(details, vendors, twin_vendors, strict=True):
            detail.update(vendor=v, twin_vendor=tv)
    elif entry is not None:
        entries, twin_entries = _names(entry, pairs.member), _names(entry, pairs.twin)
        distinction = rule.fill_phrases(["journal_entry"] * count, je_number=entries, twin_je_number=twin_entries)
        for detail, e, te in zip(details, entries, twin_entries, strict=True):
            detail.update(je_number=e, twin_je_number=te)
    else:
        distinction = rule.fill_phrases(["none"] * count)
    reasons = rule.reasons(count, amount=pairs.amounts, date=dates, twin_row=pairs.twin_rows, distinction=distinction)
    return CheckOutcome("DUP_SAME_AMOUNT_DATE_DIFF_VENDOR", groups, reasons, details)


# Every test by its rule code, in catalogue order.
CHECKS = {
    "DUP_EXACT": exact,
    "DUP_INVOICE_AMOUNT_DIFF": invoice_amount_diff,
    "DUP_VENDOR_AMOUNT_NEAR_DATE": vendor_amount_near_date,
    "DUP_INVOICE_NORMALIZED": invoice_normalized,
    "DUP_VENDOR_NAME_VARIANT": vendor_name_variant,
    "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR": same_amount_date_diff_vendor,
}
