"""The normal ledger before any anomaly is injected, held as plain numpy arrays.

Journal entries (``je_*``, one element per entry) and their lines (``line_*``, one per ledger row,
contiguous per entry) are generated vectorised. Every entry has "many" lines on one side and a single
balancing line on the other whose amount is their sum, so the base ledger always balances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fintrace_pipeline.generate import catalog as cat
from fintrace_pipeline.generate import invoices
from fintrace_pipeline.generate.entities import Users, Vendors

# Share of entries posted on a weekend / keyed outside office hours in the normal base (not labelled).
NATURAL_WEEKEND_RATE = 0.005
NATURAL_AFTER_HOURS_RATE = 0.005

PHRASES = tuple(p for a in cat.ACCOUNTS for p in a.phrases)
PHRASE_COUNT = np.array([len(a.phrases) for a in cat.ACCOUNTS], dtype=np.int64)
PHRASE_START = np.concatenate([[0], np.cumsum(PHRASE_COUNT)[:-1]])
ACCOUNT_MEDIAN_CENTS = np.array([round(a.median * 100) for a in cat.ACCOUNTS], dtype=np.int64)
MISSING = -1


@dataclass
class Draft:
    users: Users
    vendors: Vendors
    je_size: np.ndarray
    je_start: np.ndarray
    je_template: np.ndarray
    je_user: np.ndarray
    je_approver: np.ndarray
    je_post: np.ndarray  # datetime64[D]
    je_entry_day: np.ndarray  # datetime64[D]
    je_entry_sec: np.ndarray  # seconds after midnight
    je_natural: np.ndarray  # bool: natural weekend posting or after-hours keying
    line_je: np.ndarray
    line_single: np.ndarray  # the balancing line of its entry
    line_debit: np.ndarray
    line_account: np.ndarray
    line_cents: np.ndarray  # positive amount in cents
    line_vendor: np.ndarray  # index into vendors.names, MISSING when none
    line_invoice: np.ndarray  # object array of str or None
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


def business_days(start: str, end: str) -> np.ndarray:
    days = np.arange(np.datetime64(start), np.datetime64(end), dtype="datetime64[D]")
    return days[np.is_busday(days, holidays=cat.HOLIDAYS)]


def working_seconds(rng: np.random.Generator, users: Users, user: np.ndarray) -> np.ndarray:
    return rng.integers(users.start_sec[user], users.end_sec[user])


def entry_days_after(rng: np.random.Generator, post: np.ndarray) -> np.ndarray:
    """When an entry is keyed in: mostly the posting day, sometimes a few business days later."""
    lag = rng.choice([0, 1, 2, 3, 4, 5, 7, 10], len(post), p=[0.55, 0.2, 0.08, 0.06, 0.04, 0.03, 0.02, 0.02])
    return np.busday_offset(post, lag, roll="forward", holidays=cat.HOLIDAYS)


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


def build_base(rng: np.random.Generator, rows: int, users: Users, vendors: Vendors) -> Draft:
    sizes = je_sizes(rng, rows)
    n_je = len(sizes)
    start = (np.cumsum(sizes) - sizes).astype(np.int64)

    je_user = rng.choice(len(users), n_je, p=users.activity)
    je_template = (users.template_cum[je_user] < rng.random(n_je)[:, None]).sum(axis=1)
    je_template = np.minimum(je_template, len(cat.TEMPLATES) - 1)
    je_post, je_entry_day, je_entry_sec, je_natural = _timing(rng, users, je_user)

    # Mostly the user's own manager approves; sometimes another controller (never the user).
    je_approver = users.approver[je_user].copy()
    other = rng.choice(users.approvers, n_je)
    use_other = (rng.random(n_je) < 0.15) & (other != je_user)
    je_approver[use_other] = other[use_other]

    line_je = np.repeat(np.arange(n_je), sizes)
    position = np.arange(rows) - start[line_je]
    template = je_template[line_je]
    revenue = template == cat.REVENUE
    line_single = np.where(revenue, position == 0, position == sizes[line_je] - 1)
    line_debit = line_single == revenue
    user = je_user[line_je]

    account = _many_accounts(rng, users, user, template)
    single_account = np.empty(n_je, dtype=np.int64)
    for t in cat.TEMPLATES:
        pool, probs = cat.SINGLE_POOLS[t]
        mask = je_template == t
        single_account[mask] = rng.choice(pool, int(mask.sum()), p=probs)
    account[line_single] = single_account[line_je[line_single]]

    expense_line = ~line_single & (template == cat.EXPENSE)
    vendor = np.full(rows, MISSING, dtype=np.int64)
    vendor[expense_line] = _vendors_for(rng, vendors, account[expense_line])

    noise = rng.lognormal(0.0, 0.45, rows)
    typical = np.where(expense_line, vendors.median_cents[np.maximum(vendor, 0)], ACCOUNT_MEDIAN_CENTS[account])
    cents = np.maximum(100, np.round(typical * users.level[user] * noise)).astype(np.int64)
    cents = make_irregular(rng, cents)
    cents[expense_line] = unique_per_vendor(rng, vendor[expense_line], cents[expense_line])

    home = users.home_cost_center[user]
    cost_center = np.where(rng.random(rows) < 0.85, home, rng.integers(0, len(cat.COST_CENTERS), rows))
    phrase = PHRASE_START[account] + (rng.random(rows) * PHRASE_COUNT[account]).astype(np.int64)
    # The balancing line repeats the entry's text, as an ERP copies the header description.
    first_many = np.where(line_single[start], start + 1, start)
    phrase[line_single] = phrase[first_many[line_je[line_single]]]

    serials, next_serial = invoices.assign_serials(
        rng, vendors, vendor[expense_line], je_post[line_je[expense_line]].astype(np.int64)
    )
    invoice = np.full(rows, None, dtype=object)
    invoice[expense_line] = invoices.render(vendors, vendor[expense_line], serials, np.full(len(serials), cat.YEAR))

    draft = Draft(
        users=users,
        vendors=vendors,
        je_size=sizes,
        je_start=start,
        je_template=je_template,
        je_user=je_user,
        je_approver=je_approver,
        je_post=je_post,
        je_entry_day=je_entry_day,
        je_entry_sec=je_entry_sec,
        je_natural=je_natural,
        line_je=line_je,
        line_single=line_single,
        line_debit=line_debit,
        line_account=account,
        line_cents=cents,
        line_vendor=vendor,
        line_invoice=invoice,
        line_phrase=phrase,
        line_cost_center=cost_center,
        next_serial=next_serial,
    )
    _rebalance_irregular(rng, draft)
    return draft


def _timing(
    rng: np.random.Generator, users: Users, je_user: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_je = len(je_user)
    days = business_days(f"{cat.YEAR}-01-01", f"{cat.YEAR + 1}-01-01")
    # Month-end close: the last three business days carry four times the load, the first two twice.
    month = days.astype("datetime64[M]")
    last_of_month = np.r_[month[1:] != month[:-1], True]
    first_of_month = np.r_[True, month[1:] != month[:-1]]
    from_end = _rank_within_run(last_of_month[::-1])[::-1]
    from_start = _rank_within_run(first_of_month)
    weight = np.where(from_end < 3, 4.0, np.where(from_start < 2, 2.0, 1.0))
    post = rng.choice(days, n_je, p=weight / weight.sum())
    entry_day = entry_days_after(rng, post)

    all_days = np.arange(np.datetime64(f"{cat.YEAR}-01-01"), np.datetime64(f"{cat.YEAR + 1}-01-01"))
    weekend_days = all_days[~np.is_busday(all_days, weekmask="1111100")]
    weekend = rng.random(n_je) < NATURAL_WEEKEND_RATE
    post[weekend] = rng.choice(weekend_days, int(weekend.sum()))
    entry_day[weekend] = post[weekend]  # someone working through the weekend keys it the same day

    entry_sec = working_seconds(rng, users, je_user)
    after_hours = rng.random(n_je) < NATURAL_AFTER_HOURS_RATE
    evening = rng.integers(19 * 3600, int(21.5 * 3600), n_je)
    early = rng.integers(6 * 3600, 7 * 3600, n_je)
    entry_sec[after_hours] = np.where(rng.random(n_je) < 0.7, evening, early)[after_hours]
    return post, entry_day, entry_sec, weekend | after_hours


def _rank_within_run(starts: np.ndarray) -> np.ndarray:
    """0 at each True of ``starts``, counting up until the next True."""
    index = np.arange(len(starts))
    return index - np.maximum.accumulate(np.where(starts, index, 0))


def _many_accounts(rng: np.random.Generator, users: Users, user: np.ndarray, template: np.ndarray) -> np.ndarray:
    cum = users.account_cum[user, template]
    pick = np.minimum((cum < rng.random(len(user))[:, None]).sum(axis=1), cum.shape[1] - 1)
    return users.account_ids[user, template, pick]


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


def unique_per_vendor(rng: np.random.Generator, vendor: np.ndarray, cents: np.ndarray) -> np.ndarray:
    """Make every (vendor, amount) pair unique: a normal vendor never bills the same amount twice, so
    same-vendor-same-amount duplicates in the ledger are only the injected ones."""
    cents = cents.copy()
    while True:
        key = vendor.astype(np.int64) * (np.int64(1) << 40) + cents
        order = np.argsort(key, kind="stable")
        repeat = np.r_[False, key[order][1:] == key[order][:-1]]
        if not repeat.any():
            return cents
        clash = order[repeat]
        cents[clash] = make_irregular(rng, cents[clash] + rng.integers(1, 500, len(clash)))


def _rebalance_irregular(rng: np.random.Generator, draft: Draft) -> None:
    """Rebalance, nudging entries whose balancing line would come out a round number."""
    while True:
        draft.rebalance()
        single = np.flatnonzero(draft.line_single)
        round_ = single[draft.line_cents[single] % 10_000 == 0]
        if not len(round_):
            return
        first = draft.first_many_line(draft.line_je[round_])
        draft.line_cents[first] = make_irregular(rng, draft.line_cents[first] + rng.integers(1, 100, len(first)))
        vendor = draft.line_vendor
        expense = vendor != MISSING
        draft.line_cents[expense] = unique_per_vendor(rng, vendor[expense], draft.line_cents[expense])
