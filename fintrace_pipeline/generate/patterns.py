"""Anomalies no single rule catches but entity-relative features should: a vendor billing far above
its usual rate for a week, and a user's amounts creeping upwards over a fortnight."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fintrace_pipeline.generate import catalog as cat
from fintrace_pipeline.generate.draft import MISSING, business_days, make_irregular

if TYPE_CHECKING:
    from fintrace_pipeline.generate.inject import Injector

VENDOR_BURST = "vendor_burst"
AMOUNT_DRIFT = "amount_drift"
ML_KINDS = (VENDOR_BURST, AMOUNT_DRIFT)


def vendor_bursts(injector: Injector, count: int) -> None:
    """``count`` vendors each bill (at least) five times their usual weekly rate during one week.

    The extra invoices copy the vendor's own normal lines (same users, account, wording) with fresh
    invoice numbers and amounts from the vendor's usual range: only their number in that week stands out.
    """
    d, rng = injector.draft, injector.rng
    base_vendors = d.vendors.count
    billed = (d.line_vendor != MISSING) & (d.line_vendor < base_vendors)
    weekly = np.bincount(d.line_vendor[billed], minlength=base_vendors) / 52
    # Vendors billing about 1-2 invoices a week first: a burst of theirs is visible but not absurd.
    ranked = np.argsort(np.abs(np.log((weekly + 1e-9) / 1.5)), kind="stable")
    weeks = business_days(f"{cat.YEAR}-01-06", f"{cat.YEAR}-12-01")
    for case, vendor in enumerate(ranked[:count]):
        extra = int(np.clip(np.ceil(5 * weekly[vendor]), 4, 40))
        slots = injector.take(extra, injector.two_line())
        # Sources are read while slots are overwritten, so they come from entries no case uses.
        own_lines = np.flatnonzero(billed & (d.line_vendor == vendor) & ~injector.used[d.line_je])
        if not len(own_lines) or not len(slots):
            continue
        source = rng.choice(own_lines, len(slots))
        day = weeks[rng.integers(0, len(weeks))]
        monday = day - (day.astype(np.int64) + 3) % 7
        post = rng.choice(business_days(str(monday), str(monday + 7)), len(slots))
        copy = injector.copy_expense(slots, source, post)
        users = d.je_user[slots]
        cents = d.vendors.median_cents[vendor] * d.users.level[users] * rng.lognormal(0.0, 0.45, len(copy))
        cents = make_irregular(rng, np.maximum(100, np.round(cents)).astype(np.int64))
        injector.set_pair_amount(slots, injector.dodge_vendor_clash(copy, cents))
        d.line_invoice[copy] = injector.fresh_invoices(np.full(len(copy), vendor), post)
        injector.label(copy, VENDOR_BURST, np.full(len(copy), case))


def amount_drifts(injector: Injector, count: int) -> None:
    """``count`` AP clerks' amounts creep up from 1.5x to 3x their usual level over a fortnight."""
    d, rng = injector.draft, injector.rng
    clerks = np.flatnonzero(d.users.role == 0)
    days = business_days(f"{cat.YEAR}-02-01", f"{cat.YEAR}-11-15")
    for case in range(count):
        # Of a few random (clerk, fortnight) candidates, the busiest, so the drift has enough entries.
        best: tuple[np.ndarray, np.ndarray] | None = None
        for _ in range(12):
            user = rng.choice(clerks)
            first = int(rng.integers(0, len(days) - 10))
            window = days[first : first + 10]
            eligible = (d.je_user == user) & (d.je_template == cat.EXPENSE) & ~injector.used
            eligible &= (d.je_post >= window[0]) & (d.je_post <= window[-1])
            je = np.flatnonzero(eligible)
            if best is None or len(je) > len(best[0]):
                best = (je, window)
        if best is None or not len(best[0]):
            continue
        je, window = best
        injector.used[je] = True
        progress = np.searchsorted(window, d.je_post[je]) / (len(window) - 1)
        factor = np.repeat(1.5 + 1.5 * progress, d.je_size[je])
        lines = d.lines_of(je)
        many = ~d.line_single[lines]
        scaled = np.round(d.line_cents[lines] * factor).astype(np.int64)
        d.line_cents[lines[many]] = injector.dodge_vendor_clash(lines[many], make_irregular(rng, scaled[many]))
        injector.label(lines, AMOUNT_DRIFT, np.full(len(lines), case))
