"""Anomalies no single rule catches but entity-relative features should: a vendor billing far above
its usual rate for a week, and a user's amounts creeping upwards over a fortnight."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fintrace_pipeline.generate import catalog as cat
from fintrace_pipeline.generate.draft import business_days, make_irregular

if TYPE_CHECKING:
    from fintrace_pipeline.generate.inject import Injector

VENDOR_BURST = "vendor_burst"
AMOUNT_DRIFT = "amount_drift"
ML_KINDS = (VENDOR_BURST, AMOUNT_DRIFT)
DRIFT_ENTRIES = 40


def vendor_bursts(injector: Injector, count: int) -> None:
    """``count`` vendors each bill (at least) five times their usual weekly rate during one week.

    The extra invoices copy the vendor's own normal invoice entries (same users, accounts, wording)
    with fresh invoice numbers and amounts from the vendor's usual range: only their number in that
    week stands out.
    """
    d, rng = injector.draft, injector.rng
    base_vendors = d.vendors.count
    billed = d.invoices()
    billed = billed[d.je_vendor[billed] < base_vendors]
    weekly = np.bincount(d.je_vendor[billed], minlength=base_vendors) / 52
    # Vendors billing about 1-2 invoices a week first: a burst of theirs is visible but not absurd.
    ranked = np.argsort(np.abs(np.log((weekly + 1e-9) / 1.5)), kind="stable")
    weeks = business_days(f"{cat.YEAR}-01-06", f"{cat.YEAR}-12-01")
    for case, vendor in enumerate(ranked[:count]):
        extra = int(np.clip(np.ceil(5 * weekly[vendor]), 4, 40))
        # Sources are read while slots are overwritten, so no case may use them as slots.
        own = billed[(d.je_vendor[billed] == vendor) & ~injector.used[billed]]
        if not len(own):
            continue
        source = rng.choice(own, extra)
        injector.used[source] = True
        slots = injector.take_slots(source)
        source, slots = source[slots >= 0], slots[slots >= 0]
        if not len(slots):
            continue
        day = weeks[rng.integers(0, len(weeks))]
        monday = day - (day.astype(np.int64) + 3) % 7
        post = rng.choice(business_days(str(monday), str(monday + 7)), len(slots))
        injector.copy_entry(slots, source, post)
        lines = d.lines_of(slots)
        many = lines[~d.line_single[lines]]
        users = d.je_user[d.line_je[many]]
        cents = d.vendors.median_cents[vendor] * d.users.level[users] * rng.lognormal(0.0, 0.45, len(many))
        d.line_cents[many] = make_irregular(rng, np.maximum(100, np.round(cents)).astype(np.int64))
        d.rebalance()
        injector.set_total(slots, injector.dodge_vendor_clash(slots, d.total(slots)))
        d.je_invoice[slots] = injector.fresh_invoices(np.full(len(slots), vendor), post)
        injector.label_entries(slots, VENDOR_BURST, np.full(len(slots), case))


def amount_drifts(injector: Injector, count: int) -> None:
    """``count`` AP clerks' invoice amounts creep up from 1.5x to 3x their usual level over a
    fortnight; the payments of those invoices pay the inflated amounts and are labelled too."""
    d, rng = injector.draft, injector.rng
    clerks = np.flatnonzero(d.users.role == 0)
    days = business_days(f"{cat.YEAR}-02-01", f"{cat.YEAR}-11-15")
    paying = d.payment_of()
    for case in range(count):
        # Of a few random (clerk, fortnight) candidates, the one nearest DRIFT_ENTRIES invoices: enough to
        # show the drift, not so many that it swamps the other kinds.
        best: tuple[np.ndarray, np.ndarray] | None = None
        for _ in range(12):
            user = rng.choice(clerks)
            first = int(rng.integers(0, len(days) - 10))
            window = days[first : first + 10]
            eligible = (d.je_user == user) & injector.any_invoice() & ~injector.used
            eligible &= (d.je_post >= window[0]) & (d.je_post <= window[-1])
            eligible[eligible] &= (paying[eligible] < 0) | ~injector.used[np.maximum(paying[eligible], 0)]
            je = np.flatnonzero(eligible)
            if best is None or abs(len(je) - DRIFT_ENTRIES) < abs(len(best[0]) - DRIFT_ENTRIES):
                best = (je, window)
        if best is None or not len(best[0]):
            continue
        je, window = best
        payments = paying[je][paying[je] >= 0]
        injector.used[je] = injector.used[payments] = True
        progress = np.searchsorted(window, d.je_post[je]) / (len(window) - 1)
        factor = np.repeat(1.5 + 1.5 * progress, d.je_size[je])
        lines = d.lines_of(je)
        many = ~d.line_single[lines]
        scaled = np.round(d.line_cents[lines] * factor).astype(np.int64)
        d.line_cents[lines[many]] = make_irregular(rng, scaled[many])
        d.rebalance()
        injector.set_total(je, injector.dodge_vendor_clash(je, d.total(je)))
        injector.label_entries(np.concatenate([je, payments]), AMOUNT_DRIFT, np.full(len(je) + len(payments), case))
