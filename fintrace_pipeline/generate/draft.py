"""The normal ledger before any anomaly is injected, held as plain numpy arrays.

Journal entries (``je_*``, one element per entry) and their lines (``line_*``, one per ledger row,
contiguous per entry) are generated vectorised. Every entry has "many" lines on one side and a single
balancing line on the other whose amount is their sum, so the base ledger always balances.

Entries are tied together as an ERP ties its documents (``je_role``, ``je_link``): a payment pays one
AP invoice some weeks after it was keyed in; a month-end accrual is reversed on the first business day
of the next month; a few invoices are reversed and entered again. A vendor entry (an invoice, its
payment, its reversal) carries its vendor and invoice number on every line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.generate import catalog as cat
from fintrace_pipeline.generate import invoices
from fintrace_pipeline.generate.entities import Users, Vendors

# Share of entries posted on a weekend / keyed outside office hours in the normal base (not labelled).
NATURAL_WEEKEND_RATE = 0.005
NATURAL_AFTER_HOURS_RATE = 0.005

RECLASS_PHRASES = ("Reclassification", "Cost center reclass")
PHRASES = tuple(p for a in cat.ACCOUNTS for p in a.phrases) + RECLASS_PHRASES
PHRASE_COUNT = np.array([len(a.phrases) for a in cat.ACCOUNTS], dtype=np.int64)
PHRASE_START = np.concatenate([[0], np.cumsum(PHRASE_COUNT)[:-1]])
RECLASS_PHRASE_START = int(PHRASE_COUNT.sum())
ACCOUNT_MEDIAN_CENTS = np.array([round(a.median * 100) for a in cat.ACCOUNTS], dtype=np.int64)
MISSING = -1
YEAR_END = np.datetime64(f"{cat.YEAR + 1}-01-01")

# Entry roles: how an entry is tied to others (``je_link`` names the entry it follows).
PLAIN = 0  # stands alone
PAID = 1  # an AP invoice that a payment pays
PAYMENT = 2  # pays invoice je_link
REVERSED = 3  # cancelled by a later reversal
REVERSAL = 4  # cancels entry je_link: the same lines with the sides swapped
REENTRY = 5  # enters reversed invoice je_link again (same vendor, invoice and amount)


@dataclass
class Draft:
    users: Users
    vendors: Vendors
    je_size: np.ndarray
    je_start: np.ndarray
    je_template: np.ndarray
    je_role: np.ndarray
    je_link: np.ndarray  # the entry a payment, reversal or re-entry follows; -1 for the others
    je_user: np.ndarray
    je_approver: np.ndarray
    je_post: np.ndarray  # datetime64[D]
    je_entry_day: np.ndarray  # datetime64[D]
    je_entry_sec: np.ndarray  # seconds after midnight
    je_natural: np.ndarray  # bool: natural weekend posting or after-hours keying
    je_vendor: np.ndarray  # index into vendors.names, MISSING when none
    je_invoice: np.ndarray  # object array of str or None: the invoice number on every line
    je_reference: np.ndarray  # object array: a payment's own reference where it quotes no invoice number
    line_je: np.ndarray
    line_single: np.ndarray  # the balancing line of its entry
    line_debit: np.ndarray
    line_account: np.ndarray
    line_cents: np.ndarray  # positive amount in cents
    line_phrase: np.ndarray  # index into PHRASES, MISSING for a blank description
    line_cost_center: np.ndarray
    next_serial: np.ndarray  # next free invoice serial per vendor

    def rebalance(self) -> None:
        """Set every balancing line to the sum of its entry's other lines."""
        if not len(self.je_start):
            return
        many = np.where(self.line_single, 0, self.line_cents)
        self.line_cents[self.line_single] = np.add.reduceat(many, self.je_start)[self.line_je[self.line_single]]

    def lines_of(self, je: np.ndarray) -> np.ndarray:
        """All line indices of the given entries, entry by entry."""
        sizes = self.je_size[je]
        offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return np.repeat(self.je_start[je], sizes) + offsets

    def first_many_line(self, je: np.ndarray) -> np.ndarray:
        """The first non-balancing line of each entry."""
        first = self.je_start[je]
        return np.where(self.line_single[first], first + 1, first)

    def single_line(self, je: np.ndarray) -> np.ndarray:
        first = self.je_start[je]
        return np.where(self.line_single[first], first, first + self.je_size[je] - 1)

    def total(self, je: np.ndarray) -> np.ndarray:
        """The amount of each (balanced) entry: its balancing line."""
        return self.line_cents[self.single_line(je)]

    def invoices(self) -> np.ndarray:
        """Entries that bill a vendor (reversals cancel one and are not counted)."""
        return np.flatnonzero((self.je_template == cat.EXPENSE) & (self.je_role != REVERSAL))

    def payment_of(self) -> np.ndarray:
        """Per entry, the payment entry that pays it, -1 where none."""
        paying = np.full(len(self.je_size), -1, dtype=np.int64)
        payments = np.flatnonzero(self.je_role == PAYMENT)
        paying[self.je_link[payments]] = payments
        return paying

    def sync_payments(self) -> None:
        """Make every payment pay its invoice as it now stands: its vendor, total and invoice number
        (or the payment's own reference)."""
        payments = np.flatnonzero(self.je_role == PAYMENT)
        invoice = self.je_link[payments]
        self.je_vendor[payments] = self.je_vendor[invoice]
        reference = self.je_reference[payments]
        self.je_invoice[payments] = np.where(pd.isna(reference), self.je_invoice[invoice], reference)
        cents = self.total(invoice)
        self.line_cents[self.je_start[payments]] = cents
        self.line_cents[self.je_start[payments] + 1] = cents


def business_days(start: str, end: str) -> np.ndarray:
    days = np.arange(np.datetime64(start), np.datetime64(end), dtype="datetime64[D]")
    return days[np.is_busday(days, holidays=cat.HOLIDAYS)]


def business_day_after(day: np.ndarray, offset: np.ndarray | int) -> np.ndarray:
    return np.busday_offset(day, offset, roll="forward", holidays=cat.HOLIDAYS)


def working_seconds(rng: np.random.Generator, users: Users, user: np.ndarray) -> np.ndarray:
    return rng.integers(users.start_sec[user], users.end_sec[user])


def entry_days_after(rng: np.random.Generator, post: np.ndarray) -> np.ndarray:
    """When an entry is keyed in: mostly the posting day, sometimes a few business days later."""
    lag = rng.choice([0, 1, 2, 3, 4, 5, 7, 10], len(post), p=[0.55, 0.2, 0.08, 0.06, 0.04, 0.03, 0.02, 0.02])
    return business_day_after(post, lag)


def je_sizes(rng: np.random.Generator, total_lines: int) -> np.ndarray:
    """Entry sizes (2..6 lines) adding up to exactly ``total_lines`` (which must not be 1)."""
    if total_lines == 0:
        return np.zeros(0, dtype=np.int64)
    guess = int(total_lines / 2.4) + 10
    sizes = rng.choice(cat.JE_SIZES, guess, p=cat.JE_SIZE_PROBS)
    cumulative = np.cumsum(sizes)
    kept = int(np.searchsorted(cumulative, total_lines, side="right"))
    sizes = sizes[:kept].copy()
    rest = total_lines - (int(cumulative[kept - 1]) if kept else 0)
    if rest == 1:
        smaller = np.flatnonzero(sizes < cat.JE_SIZES[-1])
        if len(smaller):
            sizes[smaller[-1]] += 1
        else:  # every entry has 6 lines: split one line off into a new 2-line entry
            sizes[-1] -= 1
            sizes = np.r_[sizes, 2]
    elif rest:
        sizes = np.r_[sizes, rest]
    return sizes.astype(np.int64)


@dataclass
class _Entries:
    """Entry-level plan: who keys what, when, and how entries are tied, before any line exists."""

    template: np.ndarray
    on_account: np.ndarray  # invoices credited to accounts payable (else paid in cash at once)
    role: np.ndarray
    link: np.ndarray
    user: np.ndarray
    post: np.ndarray
    entry_day: np.ndarray


def build_base(rng: np.random.Generator, rows: int, users: Users, vendors: Vendors) -> Draft:
    size_pool = je_sizes(rng, rows)
    n_je = len(size_pool)
    user = rng.choice(len(users), n_je, p=users.activity)
    template = (users.template_cum[user] < rng.random(n_je)[:, None]).sum(axis=1)
    template = np.minimum(template, len(cat.TEMPLATES) - 1)
    post, entry_day = _posting_days(rng, n_je)
    plan = _Entries(
        template=template,
        on_account=rng.random(n_je) < cat.SINGLE_POOLS[cat.EXPENSE][1][0],
        role=np.full(n_je, PLAIN, dtype=np.int64),
        link=np.full(n_je, -1, dtype=np.int64),
        user=user,
        post=post,
        entry_day=entry_day,
    )
    _plan_links(rng, plan, int((size_pool == 2).sum()))
    sizes = _assign_sizes(rng, size_pool, np.isin(plan.role, (PAYMENT, REVERSED, REVERSAL, REENTRY)))
    start = (np.cumsum(sizes) - sizes).astype(np.int64)
    je_user, je_template = plan.user, plan.template

    # Mostly the user's own manager approves; sometimes another controller (never the user).
    je_approver = users.approver[je_user].copy()
    other = rng.choice(users.approvers, n_je)
    use_other = (rng.random(n_je) < 0.15) & (other != je_user)
    je_approver[use_other] = other[use_other]
    follows = plan.role == REVERSAL
    je_approver[follows] = je_approver[plan.link[follows]]
    je_entry_sec = working_seconds(rng, users, je_user)
    je_natural = _natural_oddities(rng, plan, je_entry_sec)

    line_je = np.repeat(np.arange(n_je), sizes)
    position = np.arange(rows) - start[line_je]
    template = je_template[line_je]
    revenue = template == cat.REVENUE
    line_single = np.where(revenue, position == 0, position == sizes[line_je] - 1)
    line_debit = line_single == revenue
    line_user = je_user[line_je]

    account = _many_accounts(rng, users, line_user, template)
    single_account = _single_accounts(rng, je_template, plan.on_account)
    reclass = line_single & (template == cat.RECLASS)
    single_account[line_je[reclass]] = _many_accounts(
        rng, users, line_user[reclass], np.full(int(reclass.sum()), cat.EXPENSE)
    )
    account[line_single] = single_account[line_je[line_single]]

    billed = np.flatnonzero(je_template == cat.EXPENSE)
    first_many = np.where(line_single[start], start + 1, start)
    je_vendor = np.full(n_je, MISSING, dtype=np.int64)
    je_vendor[billed] = _vendors_for(rng, vendors, account[first_many[billed]])
    # Further lines of an invoice mostly split it across cost centers on the vendor's own account.
    split = ~line_single & (template == cat.EXPENSE) & (position > 0) & (rng.random(rows) < 0.7)
    account[split] = vendors.account[je_vendor[line_je[split]]]

    noise = rng.lognormal(0.0, 0.45, rows)
    # A vendor's own account carries its usual amounts; another account on its invoice (a courier
    # charge on a components invoice) that account's usual ones.
    line_vendor = np.maximum(je_vendor[line_je], 0)
    own_account = (je_vendor[line_je] != MISSING) & (vendors.account[line_vendor] == account)
    typical = np.where(own_account, vendors.median_cents[line_vendor], ACCOUNT_MEDIAN_CENTS[account])
    # A reclassification moves an amount that is ordinary on both accounts, split over its debit lines.
    moved = ACCOUNT_MEDIAN_CENTS[single_account[line_je]] / np.maximum(sizes[line_je] - 1, 1)
    typical = np.where(template == cat.RECLASS, np.minimum(typical, moved), typical)
    cents = np.maximum(100, np.round(typical * users.level[line_user] * noise)).astype(np.int64)
    cents = make_irregular(rng, cents)

    home = users.home_cost_center[line_user]
    cost_center = np.where(rng.random(rows) < 0.85, home, rng.integers(0, len(cat.COST_CENTERS), rows))
    phrase = PHRASE_START[account] + (rng.random(rows) * PHRASE_COUNT[account]).astype(np.int64)
    reclass_line = template == cat.RECLASS
    phrase[reclass_line] = RECLASS_PHRASE_START + rng.integers(0, len(RECLASS_PHRASES), int(reclass_line.sum()))
    # The balancing line repeats the entry's text, as an ERP copies the header description; an
    # accrual's lines all read as one ("Month-end accrual").
    head = np.where(je_template == cat.ACCRUAL, start + sizes - 1, first_many)
    follows_head = line_single | (template == cat.ACCRUAL)
    phrase[follows_head] = phrase[head[line_je[follows_head]]]

    numbered = billed[~np.isin(plan.role[billed], (REVERSAL, REENTRY))]
    serials, next_serial = invoices.assign_serials(
        rng, vendors, je_vendor[numbered], plan.post[numbered].astype(np.int64)
    )
    je_invoice = np.full(n_je, None, dtype=object)
    je_invoice[numbered] = invoices.render(vendors, je_vendor[numbered], serials, np.full(len(serials), cat.YEAR))

    draft = Draft(
        users=users,
        vendors=vendors,
        je_size=sizes,
        je_start=start,
        je_template=je_template,
        je_role=plan.role,
        je_link=plan.link,
        je_user=je_user,
        je_approver=je_approver,
        je_post=plan.post,
        je_entry_day=plan.entry_day,
        je_entry_sec=je_entry_sec,
        je_natural=je_natural,
        je_vendor=je_vendor,
        je_invoice=je_invoice,
        je_reference=_payment_references(rng, plan),
        line_je=line_je,
        line_single=line_single,
        line_debit=line_debit,
        line_account=account,
        line_cents=cents,
        line_phrase=phrase,
        line_cost_center=cost_center,
        next_serial=next_serial,
    )
    _rebalance_irregular(rng, draft)
    _copy_reentries(rng, draft)
    _copy_reversals(draft)
    draft.sync_payments()
    return draft


def _posting_days(rng: np.random.Generator, n_je: int) -> tuple[np.ndarray, np.ndarray]:
    days = business_days(f"{cat.YEAR}-01-01", f"{cat.YEAR + 1}-01-01")
    # Month-end close: the last three business days carry four times the load, the first two twice.
    month = days.astype("datetime64[M]")
    last_of_month = np.r_[month[1:] != month[:-1], True]
    first_of_month = np.r_[True, month[1:] != month[:-1]]
    from_end = _rank_within_run(last_of_month[::-1])[::-1]
    from_start = _rank_within_run(first_of_month)
    weight = np.where(from_end < 3, 4.0, np.where(from_start < 2, 2.0, 1.0))
    post = rng.choice(days, n_je, p=weight / weight.sum())
    return post, entry_days_after(rng, post)


def _plan_links(rng: np.random.Generator, plan: _Entries, two_line_entries: int) -> None:
    """Tie entries together: payments to AP invoices, accrual reversals to accruals, a few invoice
    reversals and re-entries. Every tied entry has two lines, so the ties fit ``two_line_entries``;
    payments without an invoice to pay and accruals without a partner become other manual journals."""
    n = len(plan.template)
    pay_day = business_day_after(plan.entry_day, rng.integers(*cat.PAYMENT_TERMS_DAYS, n))
    payable = np.flatnonzero((plan.template == cat.EXPENSE) & plan.on_account & (pay_day < YEAR_END))
    payable = rng.permutation(payable)
    payers = rng.permutation(np.flatnonzero(plan.template == cat.PAYMENT))
    accruals = rng.permutation(np.flatnonzero(plan.template == cat.ACCRUAL))

    pairs = min(len(accruals) // 2, two_line_entries // 4)
    left = two_line_entries - 2 * pairs
    paid = min(len(payers), len(payable), left)
    invoice, payment = payable[:paid], payers[:paid]
    plan.template[payers[paid:]] = cat.GENERAL
    plan.template[accruals[2 * pairs :]] = cat.GENERAL

    plan.role[invoice], plan.role[payment], plan.link[payment] = PAID, PAYMENT, invoice
    plan.post[payment] = pay_day[invoice]
    plan.entry_day[payment] = entry_days_after(rng, plan.post[payment])

    accrued, reversing = accruals[:pairs], accruals[pairs : 2 * pairs]
    month = np.datetime64(f"{cat.YEAR}-01", "M") + rng.integers(0, 11, pairs)
    plan.post[accrued] = np.busday_offset(
        (month + 1).astype("datetime64[D]"), -1, roll="forward", holidays=cat.HOLIDAYS
    )
    plan.post[reversing] = business_day_after((month + 1).astype("datetime64[D]"), 0)
    _reverse(plan, accrued, reversing, cat.ACCRUAL)
    plan.entry_day[accrued] = plan.post[accrued]  # keyed in on the closing day itself

    # A few invoices keyed wrongly: the payment run never pays them, they are reversed within days and
    # entered again (another paid invoice's entry takes the corrected copy).
    early = plan.entry_day[invoice] < np.datetime64(f"{cat.YEAR}-09-15")
    wanted = round(cat.INVOICE_REVERSAL_RATE * paid)
    chains = min(wanted, (left - paid) // 2, int(early.sum()), paid // 2)
    if chains <= 0:
        return
    pick = rng.permutation(np.flatnonzero(early))[:chains]
    wrong, reversal = invoice[pick], payment[pick]
    rest = np.setdiff1d(np.arange(paid), pick)
    again = rest[rng.permutation(len(rest))[:chains]]
    redone, redone_payment = invoice[again], payment[again]
    plan.template[reversal] = cat.EXPENSE
    plan.post[reversal] = business_day_after(plan.entry_day[wrong], rng.integers(1, 8, chains))
    _reverse(plan, wrong, reversal, cat.EXPENSE)
    plan.role[redone], plan.link[redone], plan.user[redone] = REENTRY, wrong, plan.user[wrong]
    plan.post[redone] = business_day_after(plan.post[reversal], rng.integers(1, 4, chains))
    plan.entry_day[redone] = entry_days_after(rng, plan.post[redone])
    plan.post[redone_payment] = business_day_after(
        plan.entry_day[redone], rng.integers(*cat.PAYMENT_TERMS_DAYS, chains)
    )
    plan.entry_day[redone_payment] = entry_days_after(rng, plan.post[redone_payment])


def _reverse(plan: _Entries, original: np.ndarray, reversal: np.ndarray, template: int) -> None:
    """``reversal`` entries cancel ``original`` ones: same keyer and template, keyed on their own day."""
    plan.role[original], plan.role[reversal], plan.link[reversal] = REVERSED, REVERSAL, original
    plan.template[reversal] = template
    plan.user[reversal] = plan.user[original]
    plan.entry_day[reversal] = plan.post[reversal]


def _assign_sizes(rng: np.random.Generator, pool: np.ndarray, two_lines: np.ndarray) -> np.ndarray:
    """Deal the entry sizes of ``pool`` out: 2 to every entry marked in ``two_lines``, the rest at random."""
    twos = np.flatnonzero(pool == 2)[: int(two_lines.sum())]
    rest = np.delete(pool, twos)
    sizes = np.empty(len(pool), dtype=np.int64)
    sizes[two_lines] = 2
    sizes[~two_lines] = rest[rng.permutation(len(rest))]
    return sizes


def _natural_oddities(rng: np.random.Generator, plan: _Entries, entry_sec: np.ndarray) -> np.ndarray:
    """Move a few stand-alone entries to a weekend and key a few entries in outside office hours;
    returns the entries touched."""
    n_je = len(plan.post)
    all_days = np.arange(np.datetime64(f"{cat.YEAR}-01-01"), YEAR_END)
    weekend_days = all_days[~np.is_busday(all_days, weekmask="1111100")]
    weekend = (rng.random(n_je) < NATURAL_WEEKEND_RATE) & (plan.role == PLAIN)
    plan.post[weekend] = rng.choice(weekend_days, int(weekend.sum()))
    plan.entry_day[weekend] = plan.post[weekend]  # someone working through the weekend keys it the same day

    after_hours = rng.random(n_je) < NATURAL_AFTER_HOURS_RATE
    evening = rng.integers(19 * 3600, int(21.5 * 3600), n_je)
    early = rng.integers(6 * 3600, 7 * 3600, n_je)
    entry_sec[after_hours] = np.where(rng.random(n_je) < 0.7, evening, early)[after_hours]
    return weekend | after_hours


def _payment_references(rng: np.random.Generator, plan: _Entries) -> np.ndarray:
    """Payment references ("PAY-000042", numbered in posting order) for the payments that quote one."""
    reference = np.full(len(plan.role), None, dtype=object)
    payments = np.flatnonzero(plan.role == PAYMENT)
    quoting = payments[rng.random(len(payments)) < cat.PAYMENT_REFERENCE_RATE]
    quoting = quoting[np.lexsort((quoting, plan.post[quoting]))]
    reference[quoting] = [f"PAY-{i + 1:06d}" for i in range(len(quoting))]
    return reference


def _rank_within_run(starts: np.ndarray) -> np.ndarray:
    """0 at each True of ``starts``, counting up until the next True."""
    index = np.arange(len(starts))
    return index - np.maximum.accumulate(np.where(starts, index, 0))


def _many_accounts(rng: np.random.Generator, users: Users, user: np.ndarray, template: np.ndarray) -> np.ndarray:
    cum = users.account_cum[user, template]
    pick = np.minimum((cum < rng.random(len(user))[:, None]).sum(axis=1), cum.shape[1] - 1)
    return users.account_ids[user, template, pick]


def _single_accounts(rng: np.random.Generator, template: np.ndarray, on_account: np.ndarray) -> np.ndarray:
    single = np.full(len(template), cat.CASH, dtype=np.int64)
    for t, (pool, probs) in cat.SINGLE_POOLS.items():
        mask = template == t
        single[mask] = rng.choice(pool, int(mask.sum()), p=probs)
    invoice = template == cat.EXPENSE
    single[invoice] = np.where(on_account[invoice], cat.ACCOUNTS_PAYABLE, cat.CASH)
    return single


def _vendors_for(rng: np.random.Generator, vendors: Vendors, account: np.ndarray) -> np.ndarray:
    out = np.empty(len(account), dtype=np.int64)
    for a in np.unique(account):
        mask = account == a
        candidates = np.flatnonzero(vendors.account == a)
        weights = vendors.weight[candidates]
        out[mask] = rng.choice(candidates, int(mask.sum()), p=weights / weights.sum())
    return out


def make_irregular(rng: np.random.Generator, cents: np.ndarray) -> np.ndarray:
    """Nudge amounts that are whole hundreds off the round number, so round amounts stay rare."""
    cents = cents.copy()
    round_ = cents % 10_000 == 0
    cents[round_] += rng.integers(1, 100, int(round_.sum()))
    return cents


def vendor_total_clashes(draft: Draft, je: np.ndarray) -> np.ndarray:
    """Of invoice entries ``je``, those (but the first) whose vendor bills the same total in another
    of them: a normal vendor never bills the same amount twice."""
    key = draft.je_vendor[je].astype(np.int64) * (np.int64(1) << 40) + draft.total(je)
    order = np.argsort(key, kind="stable")
    repeat = np.r_[False, key[order][1:] == key[order][:-1]] if len(je) else np.zeros(0, dtype=bool)
    return je[order[repeat]]


def _rebalance_irregular(rng: np.random.Generator, draft: Draft) -> None:
    """Rebalance, nudging entries whose balancing line would come out a round number and invoices
    whose vendor already billed that total."""
    billed = draft.invoices()
    billed = billed[draft.je_role[billed] != REENTRY]
    while True:
        draft.rebalance()
        single = np.flatnonzero(draft.line_single)
        nudge = np.union1d(
            draft.line_je[single[draft.line_cents[single] % 10_000 == 0]], vendor_total_clashes(draft, billed)
        )
        if not len(nudge):
            return
        first = draft.first_many_line(nudge)
        draft.line_cents[first] = make_irregular(rng, draft.line_cents[first] + rng.integers(1, 500, len(first)))


def _copy_reentries(rng: np.random.Generator, draft: Draft) -> None:
    """Each re-entry repeats its reversed invoice (vendor, number, accounts, amount) on another cost center."""
    d = draft
    again = np.flatnonzero(d.je_role == REENTRY)
    wrong = d.je_link[again]
    d.je_vendor[again], d.je_invoice[again] = d.je_vendor[wrong], d.je_invoice[wrong]
    for offset in (0, 1):
        target, source = d.je_start[again] + offset, d.je_start[wrong] + offset
        d.line_account[target] = d.line_account[source]
        d.line_cents[target] = d.line_cents[source]
        d.line_phrase[target] = d.line_phrase[source]
        shift = rng.integers(1, len(cat.COST_CENTERS), len(again))
        d.line_cost_center[target] = (d.line_cost_center[source] + shift) % len(cat.COST_CENTERS)


def _copy_reversals(draft: Draft) -> None:
    """Each reversal is its original with debits and credits swapped."""
    d = draft
    reversal = np.flatnonzero(d.je_role == REVERSAL)
    original = d.je_link[reversal]
    d.je_vendor[reversal], d.je_invoice[reversal] = d.je_vendor[original], d.je_invoice[original]
    for offset in (0, 1):
        target, source = d.je_start[reversal] + offset, d.je_start[original] + offset
        d.line_single[target] = d.line_single[source]
        d.line_debit[target] = ~d.line_debit[source]
        d.line_account[target] = d.line_account[source]
        d.line_cents[target] = d.line_cents[source]
        d.line_phrase[target] = d.line_phrase[source]
        d.line_cost_center[target] = d.line_cost_center[source]
