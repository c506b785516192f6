"""Injected anomalies: each case rewrites a few clean entries of the draft ledger and labels the rows
that carry the anomaly.

Entries are never added or removed (the row count is fixed): a case that needs a new entry (a
duplicate, a burst invoice) overwrites a spare 2-line entry, its "slot". Cases never touch an entry
that another case, or a natural weekend/after-hours posting, already uses, so every labelled row
differs from normal only by the labelled property.
"""

from __future__ import annotations

import numpy as np

from fintrace_pipeline.generate import catalog as cat
from fintrace_pipeline.generate import invoices
from fintrace_pipeline.generate.draft import (
    ACCOUNT_MEDIAN_CENTS,
    MISSING,
    PHRASE_COUNT,
    PHRASE_START,
    Draft,
    entry_days_after,
    make_irregular,
    working_seconds,
)
from fintrace_pipeline.generate.patterns import ML_KINDS, amount_drifts, vendor_bursts

__all__ = ["DUPLICATE_KINDS", "ML_KINDS", "Injector", "inject_all"]

# Cases per kind per ledger row: ~0.045 % each, about 1.5-2 % of rows labelled in all.
CASE_RATE = 0.00045
VENDOR_KEY = np.int64(1) << 40  # combines (vendor, cents) into one int64 key

DUPLICATE_KINDS = (
    "DUP_EXACT",
    "DUP_INVOICE_AMOUNT_DIFF",
    "DUP_VENDOR_AMOUNT_NEAR_DATE",
    "DUP_INVOICE_NORMALIZED",
    "DUP_VENDOR_NAME_VARIANT",
)
# Business days between an original invoice and its duplicate: NEAR_DATE stays within 7 calendar days;
# the normalised-invoice copy comes later than that, so it is not also a near-date duplicate.
DUPLICATE_DELAY = {
    "DUP_EXACT": (1, 6),
    "DUP_INVOICE_AMOUNT_DIFF": (5, 21),
    "DUP_VENDOR_AMOUNT_NEAR_DATE": (1, 4),
    "DUP_INVOICE_NORMALIZED": (8, 26),
    "DUP_VENDOR_NAME_VARIANT": (2, 11),
}


class Injector:
    def __init__(self, rng: np.random.Generator, draft: Draft, rows: int) -> None:
        self.rng = rng
        self.draft = draft
        self.cases = max(1, round(rows * CASE_RATE))
        self.used = draft.je_natural.copy()
        self.pool = rng.permutation(len(draft.je_size))
        self._lines: list[np.ndarray] = []
        self._kinds: list[np.ndarray] = []
        self._groups: list[np.ndarray] = []

    # ---- bookkeeping -------------------------------------------------------------------------

    def take(self, count: int, eligible: np.ndarray) -> np.ndarray:
        """Up to ``count`` random unused entries among ``eligible`` (a per-entry mask); marks them used."""
        free = self.pool[eligible[self.pool] & ~self.used[self.pool]][:count]
        self.used[free] = True
        return free

    def label(self, lines: np.ndarray, kind: str, case: np.ndarray) -> None:
        self._lines.append(np.asarray(lines, dtype=np.int64))
        self._kinds.append(np.full(len(lines), kind, dtype=object))
        self._groups.append(np.array([f"{kind}-{c + 1:04d}" for c in case], dtype=object))

    def label_entries(self, je: np.ndarray, kind: str) -> None:
        """Label every line of each entry, one case per entry."""
        self.label(self.draft.lines_of(je), kind, np.repeat(np.arange(len(je)), self.draft.je_size[je]))

    def labels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self._lines:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), np.zeros(0, dtype=object)
        return np.concatenate(self._lines), np.concatenate(self._kinds), np.concatenate(self._groups)

    def two_line(self, template: int | None = None) -> np.ndarray:
        d = self.draft
        mask = d.je_size == 2
        return mask if template is None else mask & (d.je_template == template)

    def single_line(self, je: np.ndarray) -> np.ndarray:
        d = self.draft
        first = d.je_start[je]
        return np.where(d.line_single[first], first, first + d.je_size[je] - 1)

    def dodge_vendor_clash(self, lines: np.ndarray, cents: np.ndarray, step: int | None = None) -> np.ndarray:
        """Shift new amounts of ``lines`` until no other line of the same vendor has the same amount
        (by ``step`` cents, or a few random cents when None)."""
        d = self.draft
        vendor = d.line_vendor[lines].astype(np.int64)
        others = np.ones(len(d.line_vendor), dtype=bool)
        others[lines] = False
        others &= d.line_vendor != MISSING
        existing = np.sort(d.line_vendor[others].astype(np.int64) * VENDOR_KEY + d.line_cents[others])
        cents = cents.copy()
        while True:
            keys = vendor * VENDOR_KEY + cents
            at = np.minimum(np.searchsorted(existing, keys), max(len(existing) - 1, 0))
            clash = existing[at] == keys if len(existing) else np.zeros(len(keys), dtype=bool)
            _, first = np.unique(keys, return_index=True)
            repeated = np.ones(len(keys), dtype=bool)
            repeated[first] = False
            clash |= repeated
            if not clash.any():
                return cents
            bump = step if step is not None else self.rng.integers(1, 100, int(clash.sum()))
            cents[clash] += bump

    def set_pair_amount(self, je: np.ndarray, cents: np.ndarray) -> None:
        """Set both lines of 2-line entries to ``cents`` (they stay balanced)."""
        lines = self.draft.je_start[je]
        self.draft.line_cents[lines] = cents
        self.draft.line_cents[lines + 1] = cents

    def copy_expense(self, slot: np.ndarray, source: np.ndarray, post: np.ndarray) -> np.ndarray:
        """Overwrite 2-line ``slot`` entries with a copy of expense line ``source`` (and a balancing line
        like its own), posted on ``post`` and keyed in normally. Returns the copied expense lines."""
        d, rng = self.draft, self.rng
        src_je = d.line_je[source]
        src_single = self.single_line(src_je)
        user = d.je_user[src_je]
        d.je_template[slot] = cat.EXPENSE
        d.je_user[slot] = user
        d.je_approver[slot] = d.je_approver[src_je]
        d.je_post[slot] = post
        d.je_entry_day[slot] = entry_days_after(rng, post)
        d.je_entry_sec[slot] = working_seconds(rng, d.users, user)
        expense, balancing = d.je_start[slot], d.je_start[slot] + 1
        for target, origin, single in ((expense, source, False), (balancing, src_single, True)):
            d.line_single[target] = single
            d.line_debit[target] = not single
            d.line_account[target] = d.line_account[origin]
            d.line_phrase[target] = d.line_phrase[source]
            d.line_cost_center[target] = d.line_cost_center[origin]
            d.line_cents[target] = d.line_cents[source]
        d.line_vendor[expense] = d.line_vendor[source]
        d.line_invoice[expense] = d.line_invoice[source]
        d.line_vendor[balancing] = MISSING
        d.line_invoice[balancing] = None
        return expense

    def fresh_invoices(self, vendor: np.ndarray, post: np.ndarray) -> np.ndarray:
        """New invoice numbers from each vendor's spare serials, in the vendor's style."""
        serial = np.empty(len(vendor), dtype=np.int64)
        for i, v in enumerate(vendor):
            serial[i] = self.draft.next_serial[v]
            self.draft.next_serial[v] += int(self.rng.integers(1, 4))
        year = post.astype("datetime64[Y]").astype(np.int64) + 1970
        return invoices.render(self.draft.vendors, vendor, serial, year)

    # ---- duplicates --------------------------------------------------------------------------

    def duplicates(self, kind: str) -> None:
        d, rng = self.draft, self.rng
        originals = self.take(self.cases, d.je_template == cat.EXPENSE)
        slots = self.take(len(originals), self.two_line())
        originals = originals[: len(slots)]
        if not len(slots):
            return
        source = d.first_many_line(originals)
        low, high = DUPLICATE_DELAY[kind]
        post = np.busday_offset(
            d.je_post[originals], rng.integers(low, high, len(slots)), roll="forward", holidays=cat.HOLIDAYS
        )
        copy = self.copy_expense(slots, source, post)
        if kind == "DUP_INVOICE_AMOUNT_DIFF":
            factor = np.where(
                rng.random(len(copy)) < 0.5, rng.uniform(0.55, 0.9, len(copy)), rng.uniform(1.1, 1.6, len(copy))
            )
            cents = make_irregular(rng, np.round(d.line_cents[copy] * factor).astype(np.int64))
            self.set_pair_amount(slots, self.dodge_vendor_clash(copy, cents))
        elif kind == "DUP_VENDOR_AMOUNT_NEAR_DATE":
            d.line_invoice[copy] = self.fresh_invoices(d.line_vendor[copy], post)
        elif kind == "DUP_INVOICE_NORMALIZED":
            d.line_invoice[copy] = [invoices.normalized_variant(str(x), rng) for x in d.line_invoice[copy]]
        elif kind == "DUP_VENDOR_NAME_VARIANT":
            d.line_vendor[copy] = [self._name_variant(v) for v in d.line_vendor[copy]]
        case = np.arange(len(slots))
        self.label(np.concatenate([source, copy]), kind, np.concatenate([case, case]))

    def _name_variant(self, vendor: int) -> int:
        """Append a differently keyed name of ``vendor`` ("Acme Ltd" -> "ACME LIMITED") to the name list."""
        v = self.draft.vendors
        stem = v.stem[vendor]
        suffix = cat.LEGAL_SUFFIX_VARIANTS[cat.LEGAL_SUFFIXES[v.suffix[vendor]]]
        name = f"{stem} {suffix}"
        v.names.append(name.upper() if self.rng.random() < 0.6 else name)
        return len(v.names) - 1

    # ---- amounts -----------------------------------------------------------------------------

    def round_amounts(self) -> None:
        d = self.draft
        amount = d.line_cents[d.je_start]
        je = self.take(self.cases, self.two_line(cat.EXPENSE) & (amount >= 200_000))
        dollars = d.line_cents[d.je_start[je]] / 100
        step = np.where(dollars < 20_000, 1_000, 5_000)
        target = np.maximum(np.round(dollars / step), 1) * step
        for limit in cat.APPROVAL_LIMITS:  # round, but not also just below a limit
            target = np.where((target >= 0.9 * limit) & (target < limit), limit, target)
        cents = (target * 100).astype(np.int64)
        cents = self.dodge_vendor_clash(d.je_start[je], cents, step=100_000)
        self.set_pair_amount(je, cents)
        self.label_entries(je, "ROUND_AMOUNT")

    def just_below_limit(self) -> None:
        d, rng = self.draft, self.rng
        amount = d.line_cents[d.je_start] / 100
        chosen, targets = [], []
        for i, limit in enumerate(cat.APPROVAL_LIMITS):
            count = self.cases // len(cat.APPROVAL_LIMITS) + (i < self.cases % len(cat.APPROVAL_LIMITS))
            eligible = self.two_line(cat.EXPENSE) & (amount >= 0.5 * limit) & (amount <= 2 * limit)
            je = self.take(count, eligible)
            below = rng.integers(1, int(limit * 100 * 0.015), len(je))
            chosen.append(je)
            targets.append(limit * 100 - below)
        je = np.concatenate(chosen)
        cents = np.concatenate(targets).astype(np.int64)
        cents = np.where(cents % 10_000 == 0, cents - 37, cents)
        cents = self.dodge_vendor_clash(d.je_start[je], cents, step=-1)
        self.set_pair_amount(je, cents)
        self.label_entries(je, "JUST_BELOW_LIMIT")

    def user_amount_outliers(self) -> None:
        d, rng = self.draft, self.rng
        key = d.je_user[d.line_je] * len(cat.ACCOUNTS) + d.line_account
        pair_keys, pair_index, pair_count = np.unique(key, return_inverse=True, return_counts=True)
        pair_median = _group_median(pair_index, d.line_cents, len(pair_keys))
        user_median = _group_median(d.je_user[d.line_je], d.line_cents, len(d.users))

        first = d.je_start
        first_pair = pair_index[first]
        usual = pair_count[first_pair] >= min(20, int(pair_count.max()))
        je = self.take(self.cases, self.two_line(cat.EXPENSE) & usual)
        base = np.maximum(pair_median[first_pair[je]], user_median[d.je_user[je]])
        cents = make_irregular(rng, np.round(base * rng.uniform(20, 50, len(je))).astype(np.int64))
        for limit in cat.APPROVAL_LIMITS:
            cents = np.where((cents >= 90 * limit) & (cents < 100 * limit), cents + 10 * limit, cents)
        self.set_pair_amount(je, self.dodge_vendor_clash(d.je_start[je], cents))
        self.label_entries(je, "USER_AMOUNT_OUTLIER")

    # ---- accounts and descriptions -----------------------------------------------------------

    def unusual_user_accounts(self) -> None:
        d, rng = self.draft, self.rng
        n_accounts = len(cat.ACCOUNTS)
        base_pairs = set(np.unique(d.je_user[d.line_je] * n_accounts + d.line_account).tolist())
        injected: dict[int, int] = {}  # pair -> cases already placed on it
        je = self.take(self.cases, d.je_template == cat.EXPENSE)
        lines = d.first_many_line(je)
        log_median = np.log(ACCOUNT_MEDIAN_CENTS)
        keep = []
        for i, line in enumerate(lines):
            user = int(d.je_user[je[i]])
            unused = [int(a) for a in cat.EXPENSE_ACCOUNTS if user * n_accounts + a not in base_pairs]
            if not unused:
                continue
            # Among the user's never-used accounts, the least used by earlier cases, then the closest
            # in typical amount, so that only the account is unusual.
            times = np.array([injected.get(user * n_accounts + a, 0) for a in unused])
            distance = np.abs(log_median[unused] - log_median[d.line_account[line]])
            ranked = np.lexsort((distance, times))
            account = unused[int(ranked[rng.integers(0, min(3, int((times == times.min()).sum())))])]
            injected[user * n_accounts + account] = injected.get(user * n_accounts + account, 0) + 1
            d.line_account[line] = account
            d.line_phrase[line] = PHRASE_START[account] + rng.integers(0, PHRASE_COUNT[account])
            keep.append(i)
        self.label(lines[keep], "UNUSUAL_USER_ACCOUNT", np.arange(len(keep)))

    def missing_descriptions(self) -> None:
        je = self.take(self.cases, np.ones(len(self.draft.je_size), dtype=bool))
        lines = self.draft.je_start[je]
        self.draft.line_phrase[lines] = MISSING
        self.label(lines, "MISSING_DESCRIPTION", np.arange(len(je)))

    # ---- timing and approval -----------------------------------------------------------------

    def weekend_postings(self) -> None:
        d, rng = self.draft, self.rng
        je = self.take(self.cases, np.ones(len(d.je_size), dtype=bool))
        post = d.je_post[je]
        weekday = (post.astype(np.int64) + 3) % 7  # Monday = 0
        saturday = post - ((weekday - 5) % 7)
        saturday = np.where(saturday < np.datetime64(f"{cat.YEAR}-01-01"), saturday + 7, saturday)
        day = saturday + rng.integers(0, 2, len(je))
        d.je_post[je] = day
        # Keyed in on the following business day in office hours: only the posting date is odd.
        d.je_entry_day[je] = np.busday_offset(day, rng.integers(0, 2, len(je)), roll="forward", holidays=cat.HOLIDAYS)
        self.label_entries(je, "WEEKEND_POSTING")

    def after_hours(self) -> None:
        d, rng = self.draft, self.rng
        je = self.take(self.cases, np.ones(len(d.je_size), dtype=bool))
        late = rng.integers(22 * 3600, 24 * 3600, len(je))
        night = rng.integers(30 * 60, int(4.5 * 3600), len(je))
        d.je_entry_sec[je] = np.where(rng.random(len(je)) < 0.6, late, night)
        self.label_entries(je, "AFTER_HOURS")

    def backdated(self) -> None:
        d, rng = self.draft, self.rng
        je = self.take(self.cases, np.ones(len(d.je_size), dtype=bool))
        # 35+ business days is at least 49 calendar days after the posting date.
        d.je_entry_day[je] = np.busday_offset(
            d.je_post[je], rng.integers(35, 90, len(je)), roll="forward", holidays=cat.HOLIDAYS
        )
        self.label_entries(je, "BACKDATED_ENTRY")

    def self_approved(self) -> None:
        d = self.draft
        je = self.take(self.cases, np.ones(len(d.je_size), dtype=bool))
        d.je_approver[je] = d.je_user[je]
        self.label_entries(je, "SELF_APPROVED")

    def unbalanced(self) -> None:
        """Mis-key one balancing line; must run after the last rebalance."""
        d, rng = self.draft, self.rng
        je = self.take(self.cases, np.ones(len(d.je_size), dtype=bool))
        line = self.single_line(je)
        cents = d.line_cents[line]
        delta = rng.integers(100, np.maximum(200, cents // 10))
        d.line_cents[line] = np.where((rng.random(len(je)) < 0.5) & (cents > delta), cents - delta, cents + delta)
        self.label_entries(je, "UNBALANCED_ENTRY")


def _group_median(group: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Median of ``values`` per integer group (vectorised: one sort)."""
    order = np.argsort(group.astype(np.int64) * VENDOR_KEY + values, kind="stable")
    sorted_group = group[order]
    sorted_values = values[order]
    counts = np.bincount(sorted_group, minlength=groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    median = np.zeros(groups)
    present = counts > 0
    low = starts[present] + (counts[present] - 1) // 2
    high = starts[present] + counts[present] // 2
    median[present] = (sorted_values[low] + sorted_values[high]) / 2
    return median


def inject_all(rng: np.random.Generator, draft: Draft, rows: int) -> Injector:
    """Run every injection in an order that keeps the cases independent; returns the labels' owner."""
    injector = Injector(rng, draft, rows)
    amount_drifts(injector, max(1, rows // 500_000))
    vendor_bursts(injector, max(1, rows // 250_000))
    for kind in DUPLICATE_KINDS:
        injector.duplicates(kind)
    injector.round_amounts()
    injector.just_below_limit()
    injector.user_amount_outliers()
    injector.unusual_user_accounts()
    injector.missing_descriptions()
    injector.weekend_postings()
    injector.after_hours()
    injector.backdated()
    injector.self_approved()
    draft.rebalance()
    injector.unbalanced()
    return injector
