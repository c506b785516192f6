"""Realistic demo and benchmark ledgers with labelled, injected anomalies.

``generate_ledger(rows, seed)`` builds a general-ledger export of one company over one year
(``catalog.YEAR``): balanced journal entries of 2-6 lines numbered "JE-000123" in the order they were
keyed in, a chart of accounts (1000s assets ... 5000-8999 expenses), users with their own accounts,
amount levels, working hours and approvers, and vendors with their own amount ranges, billing
frequency and invoice numbering style. Same ``rows`` and ``seed`` give identical frames (and
``write_ledger`` identical bytes).

Injected anomalies (about 1.5-2 % of rows from a few thousand rows up; every kind at least once from
``MIN_ROWS_FOR_ANOMALIES`` rows, so small ledgers run a little higher) are listed in ``labels`` with the
rule code a correct rule-based stage raises on that row, or an ML-only kind in lower case
(``vendor_burst``, ``amount_drift``). Which rows are labelled:

- duplicates (``DUP_*``): both the original expense line and its copy, one group per pair;
- ``ROUND_AMOUNT``, ``JUST_BELOW_LIMIT``, ``USER_AMOUNT_OUTLIER``: both lines of a 2-line entry (they
  carry the same amount);
- ``WEEKEND_POSTING``, ``AFTER_HOURS``, ``BACKDATED_ENTRY``, ``SELF_APPROVED``, ``UNBALANCED_ENTRY``:
  every line of the entry;
- ``UNUSUAL_USER_ACCOUNT``, ``MISSING_DESCRIPTION``: the one line concerned;
- ``vendor_burst``: the extra invoice lines of the burst week; ``amount_drift``: every line of the
  user's entries in the drift fortnight.

The normal base never contains exact or normalised duplicate invoices (invoice numbers are unique,
and a vendor never bills the same amount twice), self-approvals or unbalanced entries, and amounts
are never whole hundreds. It does contain, unlabelled and on purpose because real ledgers do, about
0.5 % of entries posted on a weekend and 0.5 % keyed in outside office hours (19:00-21:30 or
06:00-07:00), plus amounts that happen to fall just below an approval limit; injected cases are never
placed on those entries. Ledgers under ``MIN_ROWS_FOR_ANOMALIES`` rows get no injections.
"""

from __future__ import annotations

import numpy as np

from fintrace_pipeline.generate import entities
from fintrace_pipeline.generate.assemble import LABEL_COLUMNS, LEDGER_COLUMNS, GeneratedLedger, assemble
from fintrace_pipeline.generate.draft import build_base
from fintrace_pipeline.generate.inject import DUPLICATE_KINDS, ML_KINDS, inject_all
from fintrace_pipeline.generate.writers import write_ledger

MIN_ROWS_FOR_ANOMALIES = 1_000

__all__ = [
    "DUPLICATE_KINDS",
    "LABEL_COLUMNS",
    "LEDGER_COLUMNS",
    "MIN_ROWS_FOR_ANOMALIES",
    "ML_KINDS",
    "GeneratedLedger",
    "generate_ledger",
    "write_ledger",
]


def generate_ledger(rows: int, seed: int = 0) -> GeneratedLedger:
    """A ledger of exactly ``rows`` lines with its anomaly labels (see the module docstring)."""
    if rows < 0 or rows == 1:
        raise ValueError(f"rows must be 0 or at least 2 (journal entries have 2+ lines), got {rows}")
    rng = np.random.default_rng(seed)
    users = entities.build_users(rng, entities.user_count(rows))
    vendors = entities.build_vendors(rng, entities.vendor_count(rows))
    draft = build_base(rng, rows, users, vendors)
    lines = kinds = groups = np.zeros(0, dtype=object)
    if rows >= MIN_ROWS_FOR_ANOMALIES:
        lines, kinds, groups = inject_all(rng, draft, rows).labels()
    return assemble(draft, lines.astype(np.int64), kinds, groups)
