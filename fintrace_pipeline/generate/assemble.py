"""Turn the draft arrays into the export frame (ERP-style headers) and its label frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.generate import catalog as cat
from fintrace_pipeline.generate.draft import PHRASES, REVERSAL, Draft

LEDGER_COLUMNS = (
    "Transaction ID",
    "JE Number",
    "Posting Date",
    "Entry Date",
    "Invoice Date",
    "GL Account",
    "Account Name",
    "Entered By",
    "Approved By",
    "Vendor Name",
    "Invoice #",
    "Description",
    "Cost Center",
    "Currency",
    "Debit",
    "Credit",
)
LABEL_COLUMNS = ("row_number", "transaction_id", "je_number", "kind", "group")


@dataclass
class GeneratedLedger:
    """A generated export and the rows injected into it.

    ``ledger`` has the columns of LEDGER_COLUMNS: text columns as strings (missing as NaN), "Posting
    Date", "Entry Date" and "Invoice Date" (NaT off invoice entries) as datetimes, "Debit"/"Credit" as
    floats with NaN on the other side.
    ``labels`` has one row per (ledger row, injected kind): ``row_number`` (1-based data row of
    ``ledger``), ``transaction_id`` and ``je_number`` of that row, ``kind`` (a rule code, or an ML-only
    kind in lower case) and ``group`` (ties the rows of one injected case, e.g. every line of both
    entries of a duplicate invoice).
    """

    ledger: pd.DataFrame
    labels: pd.DataFrame


def _take(table: list[str] | tuple[str, ...], index: np.ndarray) -> pd.Series:
    """Strings ``table[index]``, NaN where ``index`` is -1 (vectorised, Arrow-backed)."""
    return pd.Series(pd.array(list(table), dtype="str").take(index, allow_fill=True))


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(numbers, dtype="int64").astype("str").str.zfill(width)


def _invoice_dates(d: Draft) -> np.ndarray:
    """Per entry, the date on its invoice (NaT where it quotes none): mostly 3 to 25 days before it was
    posted; one in 37 some 35 to 74 days before (paid late), one in 53 a few days after (paid before
    the invoice was issued). Spread by the entry's index so the same draft always gets the same dates."""
    index = np.arange(len(d.je_size))
    days = 3 + (index * 7919) % 23
    days = np.where(index % 37 == 5, 35 + index % 40, days)
    days = np.where(index % 53 == 7, -(1 + index % 5), days)
    dated = np.array([invoice is not None for invoice in d.je_invoice], dtype=bool)
    return np.where(dated, d.je_post - days.astype("timedelta64[D]"), np.datetime64("NaT", "D"))


def assemble(
    draft: Draft, label_lines: np.ndarray, label_kinds: np.ndarray, label_groups: np.ndarray
) -> GeneratedLedger:
    d = draft
    n_je = len(d.je_size)
    # Journal entries are numbered in the order they were keyed in, and the export lists them so.
    order = np.lexsort((np.arange(n_je), d.je_entry_sec, d.je_entry_day))
    je_number = np.empty(n_je, dtype=np.int64)
    je_number[order] = np.arange(1, n_je + 1)
    line_order = d.lines_of(order)
    rows = len(line_order)
    je = d.line_je[line_order]
    account = d.line_account[line_order]
    debit = d.line_debit[line_order]
    amount = d.line_cents[line_order] / 100
    post = d.je_post[je]
    invoice_date = _invoice_dates(d)[je]

    transaction_id = _numbered("TX", np.arange(1, rows + 1), 8)
    je_text = _numbered("JE-", je_number[je], 6)
    month = post.astype("datetime64[M]").astype(np.int64) - (cat.YEAR - 1970) * 12
    month_labels = [f"{cat.MONTH_ABBR[m % 12]} {cat.YEAR + m // 12}" for m in range(-12, 36)]
    description = _take(PHRASES, d.line_phrase[line_order]) + " " + _take(month_labels, month + 12)
    # A reversal names the entry it cancels.
    reversal = np.flatnonzero(d.je_role[je] == REVERSAL)
    description.iloc[reversal] = _numbered("Reversal of JE-", je_number[d.je_link[je[reversal]]], 6).to_numpy()
    ledger = pd.DataFrame(
        {
            "Transaction ID": transaction_id,
            "JE Number": je_text,
            "Posting Date": pd.Series(post.astype("datetime64[s]")),
            "Entry Date": pd.Series(
                d.je_entry_day[je].astype("datetime64[s]") + d.je_entry_sec[je].astype("timedelta64[s]")
            ),
            "Invoice Date": pd.Series(invoice_date.astype("datetime64[s]")),
            "GL Account": _take([a.code for a in cat.ACCOUNTS], account),
            "Account Name": _take([a.name for a in cat.ACCOUNTS], account),
            "Entered By": _take(list(d.users.names), d.je_user[je]),
            "Approved By": _take(list(d.users.names), d.je_approver[je]),
            "Vendor Name": _take(d.vendors.names, d.je_vendor[je]),
            "Invoice #": pd.Series(d.je_invoice[je], dtype="str"),
            "Description": description,
            "Cost Center": _take(cat.COST_CENTERS, d.line_cost_center[line_order]),
            "Currency": pd.Series(np.full(rows, cat.CURRENCY), dtype="str"),
            "Debit": np.where(debit, amount, np.nan),
            "Credit": np.where(debit, np.nan, amount),
        }
    )

    row_of_line = np.empty(rows, dtype=np.int64)
    row_of_line[line_order] = np.arange(rows)
    label_rows = row_of_line[label_lines]
    labels = pd.DataFrame(
        {
            "row_number": label_rows + 1,
            "transaction_id": transaction_id.to_numpy()[label_rows],
            "je_number": je_text.to_numpy()[label_rows],
            "kind": label_kinds,
            "group": label_groups,
        }
    )
    labels = labels.astype({"transaction_id": "str", "je_number": "str", "kind": "str", "group": "str"})
    labels = labels.sort_values(["row_number", "kind"], kind="stable", ignore_index=True)
    return GeneratedLedger(ledger=ledger, labels=labels)
