"""The six duplicate-payment tests: each turns the candidate units (lines, or documents of journal
entries) into duplicate groups and says, for every flagged member, why it duplicates its earlier twin
(one reason line and the numbers behind it). Documents are grouped only with documents of other
entries whose entries post the same way (see ``documents.split_by_postings``), and their reasons name
the entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import pdtrc

from fintrace_pipeline.analytics.columns import iso_days
from fintrace_pipeline.analytics.duplicates.candidates import Candidates, TextCodes
from fintrace_pipeline.analytics.duplicates.documents import split_by_postings
from fintrace_pipeline.analytics.duplicates.groups import Groups, block_labels, group_members, link_name_variants
from fintrace_pipeline.analytics.duplicates.normalize import edit_distances_within
from fintrace_pipeline.analytics.duplicates.options import DuplicateAnalysisOptions
from fintrace_pipeline.analytics.duplicates.units import Postings
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
    return codes.raw(index)


def _groups(candidates: Candidates, block: np.ndarray, **options: Any) -> Groups:
    """``group_members`` over ``block``, documents only with documents of other entries posting the same way."""
    return group_members(
        candidates.rank, split_by_postings(block, candidates.postings), entry=candidates.entry, **options
    )


@dataclass(frozen=True)
class _Pairs:
    """The flagged members of one test's groups and their twins, with the values every reason quotes."""

    groups: Groups
    member: np.ndarray
    twin: np.ndarray
    twin_rows: list[int]
    twin_dates: list[str]
    amounts: list[float]
    entries: dict[str, list[Any]]  # documents: the member's and twin's entry and the member's date

    @classmethod
    def of(cls, candidates: Candidates, groups: Groups) -> _Pairs:
        flagged = ~groups.first
        member, twin = groups.member[flagged], groups.twin[flagged]
        entries: dict[str, list[Any]] = {}
        if candidates.je_number is not None:
            entries = {
                "je_number": _names(candidates.je_number, member),
                "twin_je_number": _names(candidates.je_number, twin),
                "posting_date": iso_days(candidates.posting_date[member]).tolist(),
            }
        return cls(
            groups,
            member,
            twin,
            candidates.row_number[twin].tolist(),
            iso_days(candidates.posting_date[twin]).tolist(),
            (candidates.cents[member] / 100).tolist(),
            entries,
        )

    @property
    def documents(self) -> bool:
        return bool(self.entries)

    def outcome(
        self,
        rule_code: str,
        details: dict[str, list[Any]],
        phrases: dict[str, Any] | None = None,
        severity: str | None = None,
        chance: dict[str, Any] | None = None,
    ) -> CheckOutcome:
        """The test's outcome. Each member's details are its group, its twin and its amount, then
        ``details`` (one list per key, in member order); its reason fills the rule's sentence from the
        details and ``phrases``, each slot from the value of its name."""
        rule = RULES[rule_code]
        base = {
            "group_id": group_ids(rule_code, self.groups),
            "twin_row_number": self.twin_rows,
            "twin_posting_date": self.twin_dates,
            "amount": self.amounts,
            **self.entries,
        }
        values = {**base, **details, **(phrases or {})}
        slots = {slot: values[slot] for slot in rule.slots(self.documents)}
        reasons = (
            rule.entry_reasons(len(self.member), **slots) if self.documents else rule.reasons(len(self.member), **slots)
        )
        return CheckOutcome(rule_code, self.groups, reasons, _per_member({**base, **details}), severity, chance)


def _per_member(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """``columns`` (one list per key) as one dict per member."""
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def group_ids(code: str, groups: Groups, flagged_only: bool = True) -> list[str]:
    group = groups.group[~groups.first] if flagged_only else groups.group
    return [f"{code}-{g + 1:06d}" for g in group.tolist()]


# Entries a reason lists by name before it only counts the rest.
MAX_ENTRIES_LISTED = 5


def _entry_listings(candidates: Candidates, pairs: _Pairs) -> tuple[list[str], list[int]]:
    """Per flagged member, its group's entries in posting order ("JE-1 (posted 2025-03-03) and JE-7
    (posted 2025-03-07)") and how many there are."""
    groups = pairs.groups
    assert candidates.je_number is not None
    names = _names(candidates.je_number, groups.member)
    dates = iso_days(candidates.posting_date[groups.member]).tolist()
    listed: dict[int, list[str]] = {}
    for group, name, date in zip(groups.group.tolist(), names, dates, strict=True):
        listed.setdefault(group, []).append(f"{name} (posted {date})")
    text: dict[int, str] = {}
    for group, items in listed.items():
        shown = items[:MAX_ENTRIES_LISTED]
        rest = len(items) - len(shown)
        if rest:
            text[group] = ", ".join(shown) + f" and {rest} more"
        else:
            text[group] = ", ".join(shown[:-1]) + " and " + shown[-1]
    flagged_groups = groups.group[~groups.first].tolist()
    return [text[g] for g in flagged_groups], [len(listed[g]) for g in flagged_groups]


def exact(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same vendor, invoice number and amount (raw spellings)."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.code, invoice.code, candidates.cents)
    pairs = _Pairs.of(candidates, _groups(candidates, block))
    vendors, invoices = _names(vendor, pairs.member), _names(invoice, pairs.member)
    phrases: dict[str, Any] = {}
    if pairs.documents:
        listing, count = _entry_listings(candidates, pairs)
        times = RULES["DUP_EXACT"].fill_phrases(["twice" if n == 2 else "times" for n in count], count=count)
        phrases = {"entries": listing, "times": times}
    return pairs.outcome("DUP_EXACT", {"vendor": vendors, "invoice_number": invoices}, phrases)


def invoice_amount_diff(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same vendor and invoice number, different amount. Sign is part of the block: a partial credit
    note against an invoice is not a second bill for it."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.code, invoice.code, candidates.sign + 1)
    pairs = _Pairs.of(candidates, _groups(candidates, block, member_key=candidates.cents))
    vendors, invoices = _names(vendor, pairs.member), _names(invoice, pairs.member)
    twin_amounts = (candidates.cents[pairs.twin] / 100).tolist()
    return pairs.outcome(
        "DUP_INVOICE_AMOUNT_DIFF",
        {
            "vendor": vendors,
            "invoice_number": invoices,
            "twin_amount": twin_amounts,
            "difference": [round(a - ta, 2) for a, ta in zip(pairs.amounts, twin_amounts, strict=True)],
        },
    )


# Below this Poisson tail probability the near-date pairs are more than chance explains.
CHANCE_ALPHA = 0.01
# Coincidences are called routine only where chance predicts at least this many pairs; below it a
# file is too small for the test to tell, and the pairs keep the rule's severity.
MIN_EXPECTED_PAIRS = 5.0


def expected_chance_pairs(candidates: Candidates, window_days: int) -> float:
    """How many same-vendor, same-amount pairs within ``window_days`` the file would show if amounts
    fell at random: each line's earlier lines of its vendor in the window, times how often the file
    as a whole carries its exact amount. Busy card terminals with small everyday amounts meet by chance
    hundreds of times a month; supplier invoices almost never do.

    Documents are only compared with documents whose entries post alike, and never with themselves:
    each belongs to the family of the (account, side) its entry shares with the most documents (accounts
    payable credited, for most invoices), and counts its earlier documents of the vendor and family in
    the window, times the share of the family's other documents that carry its amount."""
    vendor = candidates.vendor
    assert vendor is not None
    known = vendor.norm >= 0
    cents, day, code = candidates.cents[known], candidates.day[known], vendor.norm[known]
    if len(cents) < 2:
        return 0.0
    postings = candidates.postings
    if postings is None:
        _, amount_index, amount_count = np.unique(cents, return_inverse=True, return_counts=True)
        share = amount_count[amount_index] / len(cents)
    else:
        family = _families(postings, np.flatnonzero(known))
        code = block_labels(code, family)
        _, amount_index, amount_count = np.unique(block_labels(family, cents), return_inverse=True, return_counts=True)
        family_size = np.bincount(family)[family]
        share = (amount_count[amount_index] - 1) / np.maximum(family_size - 1, 1)
    order = np.lexsort((day, code))
    span = int(day.max() - day.min()) + window_days + 1
    key = code[order].astype(np.int64) * span + (day[order] - day.min())
    earlier_in_window = np.arange(len(key)) - np.searchsorted(key, key - window_days, side="left")
    return float(np.sum(earlier_in_window * share[order]))


def _families(postings: Postings, units: np.ndarray) -> np.ndarray:
    """Per unit, the posting key of its entry that the most of ``units`` share (the lowest key on a tie)."""
    owner, key = postings.unit_keys(units)
    shared = np.bincount(key)[key]
    order = np.lexsort((key, -shared, owner))
    first = np.r_[True, owner[order][1:] != owner[order][:-1]]
    family = np.empty(len(units), dtype=np.int64)
    family[owner[order][first]] = key[order][first]
    return family


def _chance_test(observed: int, expected: float) -> dict[str, Any]:
    # pdtrc(k, m) = P(X > k) for X ~ Poisson(m): the chance of at least ``observed`` pairs.
    p_value = float(pdtrc(observed - 1, expected)) if observed else 1.0
    return {
        "observed_pairs": observed,
        "expected_by_chance": round(expected, 2),
        "p_value": round(p_value, 6),
        "explained_by_chance": expected >= MIN_EXPECTED_PAIRS and p_value >= CHANCE_ALPHA,
    }


def _invoice_case(has_column: bool, invoice: str | None, twin_invoice: str | None) -> str:
    """Which invoice phrase is true of a pair: nothing without the column, else what the two carry."""
    if not has_column:
        return "no_column"
    if invoice is None and twin_invoice is None:
        return "no_invoices"
    return "one_invoice" if invoice is None or twin_invoice is None else "other_invoice"


def vendor_amount_near_date(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same (normalised) vendor and amount within ``near_date_days`` under different invoice numbers or
    none. Lines repeating an invoice number already met in the block are other tests' business.

    When the file holds no more such pairs than chance predicts for its volumes and amounts, the
    pairs are still listed, one severity level lower and saying so: there they are coincidences far
    more often than double payments."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None
    window_days = options.near_date_days
    block = block_labels(vendor.norm, candidates.cents)
    invoice_key = invoice.norm if invoice is not None else None
    groups = _groups(
        candidates, block, member_key=invoice_key, day=candidates.day, max_gap_days=window_days, twin="previous"
    )
    pairs = _Pairs.of(candidates, groups)
    vendors = _names(vendor, pairs.member)
    gaps = (candidates.day[pairs.member] - candidates.day[pairs.twin]).tolist()
    if invoice is not None:
        invoices, twin_invoices = _names(invoice, pairs.member), _names(invoice, pairs.twin)
    else:
        invoices = twin_invoices = [None] * len(pairs.member)
    rule = RULES["DUP_VENDOR_AMOUNT_NEAR_DATE"]
    when = rule.fill_phrases(["same_day" if gap == 0 else "days_earlier" for gap in gaps], days=gaps, s=plural_s(gaps))
    numbers = rule.fill_phrases(
        [_invoice_case(invoice is not None, i, ti) for i, ti in zip(invoices, twin_invoices, strict=True)],
        invoice=[i or ti for i, ti in zip(invoices, twin_invoices, strict=True)],
        twin_invoice=twin_invoices,
    )
    chance = _chance_test(len(pairs.member), expected_chance_pairs(candidates, window_days))
    coincidence = chance["explained_by_chance"]
    note = ""
    if coincidence:
        note = rule.fill_phrases(
            ["chance_note"], observed=chance["observed_pairs"], expected=chance["expected_by_chance"]
        )[0]
    return pairs.outcome(
        rule.code,
        {"vendor": vendors, "days_apart": gaps, "invoice_number": invoices, "twin_invoice_number": twin_invoices},
        {"when": when, "invoices": numbers, "chance": note},
        severity=rule.severity_step(-1) if coincidence else None,
        chance=chance,
    )


def invoice_normalized(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Invoice numbers equal once normalised (but spelt differently), same normalised vendor and amount."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    block = block_labels(vendor.norm, invoice.norm, candidates.cents)
    pairs = _Pairs.of(candidates, _groups(candidates, block, member_key=invoice.code))
    vendors = _names(vendor, pairs.member)
    invoices, twin_invoices = _names(invoice, pairs.member), _names(invoice, pairs.twin)
    normalised = [str(invoice.norm_names[c]) for c in invoice.norm[pairs.member].tolist()]
    return pairs.outcome(
        "DUP_INVOICE_NORMALIZED",
        {
            "vendor": vendors,
            "invoice_number": invoices,
            "twin_invoice_number": twin_invoices,
            "normalized_invoice": normalised,
        },
    )


def vendor_name_variant(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same normalised invoice and amount under vendor names that are variants of each other."""
    vendor, invoice = candidates.vendor, candidates.invoice
    assert vendor is not None and invoice is not None
    max_distance = options.name_max_edit_distance
    block = split_by_postings(block_labels(invoice.norm, candidates.cents), candidates.postings)
    linked = link_name_variants(
        block,
        vendor.code,
        vendor.norm,
        vendor.norm_names,
        max_distance,
        options.name_min_length,
        options.name_compare_window,
    )
    pairs = _Pairs.of(
        candidates, group_members(candidates.rank, linked, member_key=vendor.code, entry=candidates.entry)
    )
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
    return pairs.outcome(
        rule.code,
        {"vendor": vendors, "twin_vendor": twin_vendors, "invoice_number": invoices, "edit_distance": distances},
        {"how": how},
    )


def same_amount_date_diff_vendor(candidates: Candidates, options: DuplicateAnalysisOptions) -> CheckOutcome:
    """Same amount on the same posting date to different (normalised) vendors, amounts at least
    ``same_date_min_amount``.

    Without a vendor column, documents (here whole entries) of different entries on one date with one
    amount; lines of the same signed amount, where the file has no entry numbers either.
    """
    vendor = candidates.vendor
    large = candidates.cents >= round(options.same_date_min_amount * 100)
    member_key = vendor.norm if vendor is not None else None
    if vendor is not None or candidates.documents:
        block = block_labels(candidates.day, candidates.cents)
    else:
        block = block_labels(candidates.day, candidates.cents, candidates.sign + 1)
    block = np.where(large, block, -1)
    pairs = _Pairs.of(candidates, _groups(candidates, block, member_key=member_key))
    rule, count = RULES["DUP_SAME_AMOUNT_DATE_DIFF_VENDOR"], len(pairs.member)
    details: dict[str, list[Any]] = {}
    if vendor is not None:
        details = {"vendor": _names(vendor, pairs.member), "twin_vendor": _names(vendor, pairs.twin)}
        distinction = rule.fill_phrases(["entry_vendor" if pairs.documents else "vendor"] * count, **details)
    else:
        distinction = rule.fill_phrases(["none"] * count)
    dates = iso_days(candidates.posting_date[pairs.member]).tolist()
    return pairs.outcome(rule.code, details, {"date": dates, "distinction": distinction})


# Every test by its rule code, in catalogue order.
CHECKS = {
    "DUP_EXACT": exact,
    "DUP_INVOICE_AMOUNT_DIFF": invoice_amount_diff,
    "DUP_VENDOR_AMOUNT_NEAR_DATE": vendor_amount_near_date,
    "DUP_INVOICE_NORMALIZED": invoice_normalized,
    "DUP_VENDOR_NAME_VARIANT": vendor_name_variant,
    "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR": same_amount_date_diff_vendor,
}
