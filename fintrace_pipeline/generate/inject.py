"""Injected anomalies: each case rewrites a few clean entries of the draft ledger and labels the lines
that carry the anomaly.

Entries are never added or removed (the row count is fixed): a case that needs a new entry (a
duplicate invoice, a burst invoice) overwrites a stand-alone entry of the same size, its "slot".
Cases never touch an entry that another case, or a natural weekend/after-hours posting, already uses,
so every labelled line differs from normal only by the labelled property. Cases that change an
amount take invoices nobody pays, so no payment repeats the oddity; none touches a reversal or the
entry it cancels.
"""

from __future__ import annotations

import numpy as np

from fintrace_pipeline.generate import catalog as cat
from fintrace_pipeline.generate import invoices
from fintrace_pipeline.generate.draft import (
    ACCOUNT_MEDIAN_CENTS,
    MISSING,
    PAID,
    PAYMENT,
    PHRASE_COUNT,
    PHRASE_START,
    PLAIN,
    Draft,
    business_day_after,
    entry_days_after,
    make_irregular,
    working_seconds,
)
from fintrace_pipeline.generate.patterns import ML_KINDS, amount_drifts, vendor_bursts

__all__ = ["DUPLICATE_KINDS", "ML_KINDS", "Injector", "inject_all"]

# Cases per kind per ledger row: ~0.02 % each, about 1 % of lines labelled in all.
CASE_RATE = 0.0002
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

    def take_slots(self, sources: np.ndarray) -> np.ndarray:
        """For each source entry an unused stand-alone entry of the same size (marked used), -1 where
        there is none left."""
        d = self.draft
        slots = np.full(len(sources), -1, dtype=np.int64)
        for size in np.unique(d.je_size[sources]):
            wanted = np.flatnonzero(d.je_size[sources] == size)
            free = self.take(len(wanted), (d.je_size == size) & (d.je_role == PLAIN))
            slots[wanted[: len(free)]] = free
        return slots

    def label(self, lines: np.ndarray, kind: str, case: np.ndarray) -> None:
        self._lines.append(np.asarray(lines, dtype=np.int64))
        self._kinds.append(np.full(len(lines), kind, dtype=object))
        self._groups.append(np.array([f"{kind}-{c + 1:04d}" for c in case], dtype=object))

    def label_entries(self, je: np.ndarray, kind: str, case: np.ndarray | None = None) -> None:
        """Label every line of each entry, one case per entry unless ``case`` says otherwise."""
        case = np.arange(len(je)) if case is None else case
        self.label(self.draft.lines_of(je), kind, np.repeat(case, self.draft.je_size[je]))

    def labels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self._lines:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), np.zeros(0, dtype=object)
        return np.concatenate(self._lines), np.concatenate(self._kinds), np.concatenate(self._groups)

    def unpaid_invoices(self, two_line: bool = True) -> np.ndarray:
        """Mask of stand-alone invoices (paid in cash or not yet paid), of two lines by default."""
        d = self.draft
        mask = (d.je_template == cat.EXPENSE) & (d.je_role == PLAIN)
        return mask & (d.je_size == 2) if two_line else mask

    def any_invoice(self) -> np.ndarray:
        """Mask of invoices that stand alone or are paid (never reversed ones or their re-entries)."""
        d = self.draft
        return (d.je_template == cat.EXPENSE) & np.isin(d.je_role, (PLAIN, PAID))

    def postable(self) -> np.ndarray:
        """Mask of entries whose dates and approval a case may change: not tied to a reversal."""
        return np.isin(self.draft.je_role, (PLAIN, PAID, PAYMENT))

    def dodge_vendor_clash(self, je: np.ndarray, cents: np.ndarray, step: int | None = None) -> np.ndarray:
        """Shift new totals of invoice entries ``je`` until no other invoice of the same vendor has
        the same total (by ``step`` cents, or a few random cents when None)."""
        d = self.draft
        vendor = d.je_vendor[je].astype(np.int64)
        others = d.invoices()
        others = others[~np.isin(others, je)]
        existing = np.sort(d.je_vendor[others].astype(np.int64) * VENDOR_KEY + d.total(others))
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

    def set_total(self, je: np.ndarray, cents: np.ndarray) -> None:
        """Give entries ``je`` the totals ``cents``: the first many line takes the difference and the
        balancing line the total (both lines of a 2-line entry carry it)."""
        d = self.draft
        first = d.first_many_line(je)
        d.line_cents[first] += cents - d.total(je)
        d.line_cents[d.single_line(je)] = cents

    def copy_entry(self, slot: np.ndarray, source: np.ndarray, post: np.ndarray) -> None:
        """Overwrite ``slot`` entries with copies of the same-sized ``source`` entries (keyer, approver,
        vendor, invoice number and every line), posted on ``post`` and keyed in normally."""
        d, rng = self.draft, self.rng
        user = d.je_user[source]
        for field in ("je_template", "je_user", "je_approver", "je_vendor", "je_invoice"):
            getattr(d, field)[slot] = getattr(d, field)[source]
        d.je_post[slot] = post
        d.je_entry_day[slot] = entry_days_after(rng, post)
        d.je_entry_sec[slot] = working_seconds(rng, d.users, user)
        target, origin = d.lines_of(slot), d.lines_of(source)
        for field in ("line_single", "line_debit", "line_account", "line_cents", "line_phrase", "line_cost_center"):
            getattr(d, field)[target] = getattr(d, field)[origin]

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
        """A second whole invoice entry for ``cases`` invoices: the same lines, vendor and invoice
        number, or the variation the kind names. Both entries are labelled, one case per pair."""
        d, rng = self.draft, self.rng
        originals = self.take(self.cases, self.any_invoice())
        slots = self.take_slots(originals)
        originals, slots = originals[slots >= 0], slots[slots >= 0]
        if not len(slots):
            return
        low, high = DUPLICATE_DELAY[kind]
        post = business_day_after(d.je_post[originals], rng.integers(low, high, len(slots)))
        self.copy_entry(slots, originals, post)
        # The second copy is keyed in after the first.
        later = business_day_after(d.je_entry_day[originals], 1)
        d.je_entry_day[slots] = np.maximum(d.je_entry_day[slots], later)
        if kind == "DUP_INVOICE_AMOUNT_DIFF":
            factor = np.where(
                rng.random(len(slots)) < 0.5, rng.uniform(0.55, 0.9, len(slots)), rng.uniform(1.1, 1.6, len(slots))
            )
            lines = d.lines_of(slots)
            many = lines[~d.line_single[lines]]
            scale = np.repeat(factor, d.je_size[slots] - 1)
            d.line_cents[many] = make_irregular(rng, np.round(d.line_cents[many] * scale).astype(np.int64))
            d.rebalance()
            self.set_total(slots, self.dodge_vendor_clash(slots, d.total(slots)))
        elif kind == "DUP_VENDOR_AMOUNT_NEAR_DATE":
            d.je_invoice[slots] = self.fresh_invoices(d.je_vendor[slots], post)
        elif kind == "DUP_INVOICE_NORMALIZED":
            d.je_invoice[slots] = [invoices.normalized_variant(str(x), rng) for x in d.je_invoice[slots]]
        elif kind == "DUP_VENDOR_NAME_VARIANT":
            d.je_vendor[slots] = [self._name_variant(v) for v in d.je_vendor[slots]]
        case = np.arange(len(slots))
        self.label_entries(np.concatenate([originals, slots]), kind, np.concatenate([case, case]))

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
        je = self.take(self.cases, self.unpaid_invoices() & (d.line_cents[d.je_start] >= 200_000))
        dollars = d.total(je) / 100
        step = np.where(dollars < 20_000, 1_000, 5_000)
        target = np.maximum(np.round(dollars / step), 1) * step
        for limit in cat.APPROVAL_LIMITS:  # round, but not also just below a limit
            target = np.where((target >= 0.9 * limit) & (target < limit), limit, target)
        cents = (target * 100).astype(np.int64)
        self.set_total(je, self.dodge_vendor_clash(je, cents, step=100_000))
        self.label_entries(je, "ROUND_AMOUNT")

    def just_below_limit(self) -> None:
        d, rng = self.draft, self.rng
        amount = d.line_cents[d.je_start] / 100
        chosen, targets = [], []
        for i, limit in enumerate(cat.APPROVAL_LIMITS):
            count = self.cases // len(cat.APPROVAL_LIMITS) + (i < self.cases % len(cat.APPROVAL_LIMITS))
            eligible = self.unpaid_invoices() & (amount >= 0.5 * limit) & (amount <= 2 * limit)
            je = self.take(count, eligible)
            below = rng.integers(1, int(limit * 100 * 0.015), len(je))
            chosen.append(je)
            targets.append(limit * 100 - below)
        je = np.concatenate(chosen)
        cents = np.concatenate(targets).astype(np.int64)
        cents = np.where(cents % 10_000 == 0, cents - 37, cents)
        self.set_total(je, self.dodge_vendor_clash(je, cents, step=-1))
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
        je = self.take(self.cases, self.unpaid_invoices() & usual)
        base = np.maximum(pair_median[first_pair[je]], user_median[d.je_user[je]])
        cents = make_irregular(rng, np.round(base * rng.uniform(20, 50, len(je))).astype(np.int64))
        for limit in cat.APPROVAL_LIMITS:
            cents = np.where((cents >= 90 * limit) & (cents < 100 * limit), cents + 10 * limit, cents)
        self.set_total(je, self.dodge_vendor_clash(je, cents))
        self.label_entries(je, "USER_AMOUNT_OUTLIER")

    # ---- accounts and descriptions -----------------------------------------------------------

    def unusual_user_accounts(self) -> None:
        d, rng = self.draft, self.rng
        n_accounts = len(cat.ACCOUNTS)
        base_pairs = set(np.unique(d.je_user[d.line_je] * n_accounts + d.line_account).tolist())
        injected: dict[int, int] = {}  # pair -> cases already placed on it
        je = self.take(self.cases, self.any_invoice())
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
        je = self.take(self.cases, self.postable())
        lines = self.draft.je_start[je]
        self.draft.line_phrase[lines] = MISSING
        self.label(lines, "MISSING_DESCRIPTION", np.arange(len(je)))

    # ---- timing and approval -----------------------------------------------------------------

    def weekend_postings(self) -> None:
        d, rng = self.draft, self.rng
        je = self.take(self.cases, self.postable())
        post = d.je_post[je]
        weekday = (post.astype(np.int64) + 3) % 7  # Monday = 0
        saturday = post - ((weekday - 5) % 7)
        saturday = np.where(saturday < np.datetime64(f"{cat.YEAR}-01-01"), saturday + 7, saturday)
        day = saturday + rng.integers(0, 2, len(je))
        d.je_post[je] = day
        # Keyed in on the following business day in office hours: only the posting date is odd.
        d.je_entry_day[je] = business_day_after(day, rng.integers(0, 2, len(je)))
        self.label_entries(je, "WEEKEND_POSTING")

    def after_hours(self) -> None:
        d, rng = self.draft, self.rng
        je = self.take(self.cases, self.postable())
        late = rng.integers(22 * 3600, 24 * 3600, len(je))
        night = rng.integers(30 * 60, int(4.5 * 3600), len(je))
        d.je_entry_sec[je] = np.where(rng.random(len(je)) < 0.6, late, night)
        self.label_entries(je, "AFTER_HOURS")

    def backdated(self) -> None:
        d, rng = self.draft, self.rng
        # Not a paid invoice: it would be keyed in after its own payment.
        je = self.take(self.cases, self.postable() & (d.je_role != PAID))
        # 35+ business days is at least 49 calendar days after the posting date.
        d.je_entry_day[je] = business_day_after(d.je_post[je], rng.integers(35, 90, len(je)))
        self.label_entries(je, "BACKDATED_ENTRY")

    def self_approved(self) -> None:
        d = self.draft
        je = self.take(self.cases, self.postable())
        d.je_approver[je] = d.je_user[je]
        self.label_entries(je, "SELF_APPROVED")

    def unbalanced(self) -> None:
        """Mis-key one balancing line; must run after the last rebalance."""
        d, rng = self.draft, self.rng
        je = self.take(self.cases, self.postable())
        line = d.single_line(je)
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
    draft.sync_payments()
    injector.unbalanced()
    return injector
