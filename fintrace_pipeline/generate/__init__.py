"""Realistic demo and benchmark ledgers with labelled, injected anomalies.

``generate_ledger(rows, seed)`` builds a general-ledger export of one company over one year
(``catalog.YEAR``) the way an ERP writes it: balanced journal entries of 2-6 lines numbered
"JE-000123" in the order they were keyed in, a chart of accounts (1000s assets ... 5000-8999
expenses), users with their own accounts, amount levels, working hours and approvers, and vendors
with their own amount ranges, billing frequency and invoice numbering style. Same ``rows`` and
``seed`` give identical frames (and ``write_ledger`` identical bytes). The entries are:

- vendor invoices: expense debits and one accounts-payable credit (or, for some, a cash credit),
  with the vendor and the invoice number on every line, both sides;
- payments, entries of their own: accounts payable debited and cash credited for the invoice's
  total, with its vendor and its invoice number (a quarter quote a payment reference "PAY-000042"
  instead), some 2-8 weeks after the invoice was keyed in; most AP invoices are paid within the year;
- reversals, entries of their own dated later: the lines of an earlier entry with debit and credit
  swapped, described "Reversal of JE-000123". Month-end accruals are reversed on the first business
  day of the next month; about 1 % of AP invoices are reversed within days and entered again (same
  vendor, invoice number and amount, another cost center), and only the re-entry is paid;
- manual journals without a vendor: accruals, reclassifications between expense accounts, payroll,
  revenue, and other balance-sheet postings.

Injected anomalies (about 1 % of lines from 100,000 rows up; every kind at least once from
``MIN_ROWS_FOR_ANOMALIES`` rows, so small ledgers run a little higher) are listed in ``labels``, one
row per labelled line with its ``row_number``, ``transaction_id`` and ``je_number``, the rule code a
correct rule-based stage raises on it, or an ML-only kind in lower case (``vendor_burst``,
``amount_drift``), and a ``group`` tying the lines of one case. Which lines are labelled:

- duplicates (``DUP_*``): every line of the original invoice entry and of its duplicate, a second
  whole invoice entry with the vendor and invoice number on all its lines (or the variation the kind
  names: another amount, invoice number, spelling of the number or of the vendor), posted and keyed
  in after the original; one group per pair;
- ``ROUND_AMOUNT``, ``JUST_BELOW_LIMIT``, ``USER_AMOUNT_OUTLIER``: both lines of a 2-line invoice that
  nobody pays (so no payment repeats the amount);
- ``WEEKEND_POSTING``, ``AFTER_HOURS``, ``BACKDATED_ENTRY``, ``SELF_APPROVED``, ``UNBALANCED_ENTRY``:
  every line of the entry (an invoice, a payment or a manual journal, never a reversal or the entry
  it reverses, and never a paid invoice for ``BACKDATED_ENTRY``);
- ``UNUSUAL_USER_ACCOUNT``, ``MISSING_DESCRIPTION``: the one line concerned;
- ``vendor_burst``: every line of the extra invoice entries of the burst week; ``amount_drift``:
  every line of the user's invoices in the drift fortnight and of their payments.

The normal base never contains duplicate invoices (invoice numbers are unique, and a vendor never
bills the same total twice; a reversed invoice and its re-entry are the one exception, cancelled by
the reversal), self-approvals or unbalanced entries, and amounts are never whole hundreds. It does
contain, unlabelled and on purpose because real ledgers do, about 0.5 % of entries posted on a
weekend and 0.5 % keyed in outside office hours (19:00-21:30 or 06:00-07:00), plus amounts that
happen to fall just below an approval limit; injected cases are never placed on those entries.
Ledgers under ``MIN_ROWS_FOR_ANOMALIES`` rows get no injections.
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
