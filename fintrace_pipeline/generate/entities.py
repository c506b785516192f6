"""The people and counterparties of the generated company: users with habits, vendors with profiles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fintrace_pipeline.generate import catalog as cat

ROLES = ("ap", "ar", "treasury", "gl")
MAX_ACCOUNTS_PER_TEMPLATE = 8
INVOICE_STYLES = 5  # see fintrace_pipeline.generate.invoices


@dataclass
class Users:
    names: np.ndarray  # str, login names like "jsmith"
    role: np.ndarray  # index into ROLES
    activity: np.ndarray  # probability of keying a given entry
    level: np.ndarray  # multiplier on amounts (some users handle bigger items)
    start_sec: np.ndarray  # working window, seconds after midnight, inside 08:00-18:00
    end_sec: np.ndarray
    home_cost_center: np.ndarray
    approver: np.ndarray  # usual approver (never the user)
    approvers: np.ndarray  # indices of users who approve entries
    template_cum: np.ndarray  # (users, 4) cumulative template probabilities
    account_ids: np.ndarray  # (users, 4 templates, MAX) account indices the user posts "many" lines to
    account_cum: np.ndarray  # (users, 4 templates, MAX) cumulative probabilities over account_ids

    def __len__(self) -> int:
        return len(self.names)


@dataclass
class Vendors:
    names: list[str]  # base names first; name variants are appended by the injections
    account: np.ndarray  # expense account each vendor bills to
    weight: np.ndarray  # relative invoice frequency within its account (heavy-tailed)
    median_cents: np.ndarray  # typical invoice line amount
    style: np.ndarray  # invoice numbering style
    code: np.ndarray  # short letter code used by some styles, e.g. "BH"
    suffix: np.ndarray  # legal suffix, index into catalog.LEGAL_SUFFIXES
    stem: list[str]  # the name without its legal suffix

    @property
    def count(self) -> int:
        return len(self.account)


def user_count(rows: int) -> int:
    return int(np.clip(round(rows**0.25 + 8), 15, 40))


def vendor_count(rows: int) -> int:
    return int(np.clip(rows // 500, 40, 2500))


def build_users(rng: np.random.Generator, count: int) -> Users:
    last = rng.permutation(len(cat.LAST_NAMES))[:count]
    initials = rng.integers(0, len(cat.FIRST_INITIALS), count)
    names = np.array([cat.FIRST_INITIALS[i] + cat.LAST_NAMES[j] for i, j in zip(initials, last, strict=True)])

    n_gl = max(4, round(0.25 * count))
    n_treasury = max(2, round(0.1 * count))
    n_ar = max(2, round(0.15 * count))
    role = np.array([3] * n_gl + [2] * n_treasury + [1] * n_ar + [0] * (count - n_gl - n_treasury - n_ar))
    approvers = np.arange(min(5, max(3, count // 8)))  # the first GL users are controllers

    activity = rng.lognormal(0.0, 0.5, count)
    activity[approvers] *= 0.3
    activity /= activity.sum()

    start_sec = rng.integers(8 * 3600, int(9.5 * 3600), count)
    end_sec = rng.integers(int(16.5 * 3600), 18 * 3600, count)

    # Each user's manager is a controller; controllers are approved by another controller.
    approver = rng.choice(approvers, count)
    for a in approvers:
        if approver[a] == a:
            approver[a] = approvers[(np.flatnonzero(approvers == a)[0] + 1) % len(approvers)]

    template_cum = np.cumsum([cat.ROLE_TEMPLATE_PROBS[ROLES[r]] for r in role], axis=1)
    template_cum[:, -1] = 1.0
    account_ids, account_cum = _account_habits(rng, count)
    return Users(
        names=names,
        role=role,
        activity=activity,
        level=rng.lognormal(0.0, 0.25, count),
        start_sec=start_sec,
        end_sec=end_sec,
        home_cost_center=rng.integers(0, len(cat.COST_CENTERS), count),
        approver=approver,
        approvers=approvers,
        template_cum=template_cum,
        account_ids=account_ids,
        account_cum=account_cum,
    )


def _account_habits(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per user and template, a small set of accounts with the user's own preference weights."""
    ids = np.zeros((count, len(cat.TEMPLATES), MAX_ACCOUNTS_PER_TEMPLATE), dtype=np.int64)
    cum = np.ones((count, len(cat.TEMPLATES), MAX_ACCOUNTS_PER_TEMPLATE))
    for t in cat.TEMPLATES:
        pool = cat.MANY_POOLS[t]
        popularity = np.array([cat.ACCOUNTS[a].popularity for a in pool])
        low, high = (3, 8) if t == cat.EXPENSE else (1, min(4, len(pool)))
        for u in range(count):
            k = int(rng.integers(low, high + 1))
            chosen = rng.choice(pool, size=k, replace=False, p=popularity / popularity.sum())
            weights = rng.dirichlet(np.full(k, 1.5))
            ids[u, t, :k] = chosen
            ids[u, t, k:] = chosen[-1]
            cum[u, t, :k] = np.cumsum(weights)
            cum[u, t, k - 1 :] = 1.0
    return ids, cum


def build_vendors(rng: np.random.Generator, count: int) -> Vendors:
    expense = cat.EXPENSE_ACCOUNTS
    popularity = np.array([cat.ACCOUNTS[a].popularity for a in expense])
    per_account = np.maximum(3, np.floor(count * popularity / popularity.sum())).astype(int)
    account = np.repeat(expense, per_account)
    n = len(account)

    stems: list[str] = []
    for a, k in zip(expense, per_account, strict=True):
        words = cat.ACCOUNTS[a].vendor_words
        # Distinct (prefix, qualifier, word) stems, so no two base vendors are name variants of each other.
        combos = len(cat.VENDOR_PREFIXES) * len(cat.VENDOR_QUALIFIERS) * len(words)
        for c in rng.choice(combos, size=k, replace=False):
            p, rest = divmod(int(c), len(cat.VENDOR_QUALIFIERS) * len(words))
            q, w = divmod(rest, len(words))
            parts = [cat.VENDOR_PREFIXES[p], cat.VENDOR_QUALIFIERS[q], words[w]]
            stems.append(" ".join(x for x in parts if x))
    suffix = rng.integers(0, len(cat.LEGAL_SUFFIXES), n)
    names = [f"{s} {cat.LEGAL_SUFFIXES[x]}".rstrip() for s, x in zip(stems, suffix, strict=True)]

    medians = np.array([cat.ACCOUNTS[a].median for a in account])
    letters = rng.integers(0, 26, (n, 2))
    code = np.array([chr(65 + a) + chr(65 + b) for a, b in letters])
    return Vendors(
        names=names,
        account=account,
        weight=np.minimum(rng.pareto(1.1, n), 40.0) + 0.05,  # a few heavy billers, many light ones
        median_cents=np.round(medians * rng.lognormal(0.0, 0.5, n) * 100).astype(np.int64),
        style=rng.choice(INVOICE_STYLES, n, p=[0.35, 0.25, 0.15, 0.15, 0.1]),
        code=code,
        suffix=suffix,
        stem=stems,
    )
