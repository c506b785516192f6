"""Expense by dimension (account, vendor, month, ...), new vendors and vendor concentration."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.summaries.common import (
    BLANK_LABEL,
    MAX_CALENDAR_MONTHS,
    iso,
    money,
    month_label,
    ranked,
    ratio,
    records,
    top_n_with_other,
)


def expense_by(keys: pd.Series, amount: np.ndarray, total_expense: float) -> pd.DataFrame:
    """Net expense, gross debits, credits, lines and share of the total per key, largest first."""
    work = pd.DataFrame(
        {
            "key": keys.array,
            "amount": amount,
            "debit": np.clip(amount, 0.0, None),
            "credit": np.clip(-amount, 0.0, None),
        }
    )
    table = work.groupby("key", observed=True, sort=False).agg(
        amount=("amount", "sum"), lines=("amount", "size"), debit=("debit", "sum"), credit=("credit", "sum")
    )
    table = ranked(table, "amount")
    return table.assign(share=(table["amount"] / total_expense).round(4) if total_expense else np.nan)


def breakdown_block(table: pd.DataFrame, top_n: int, key_name: str) -> dict[str, Any]:
    view = table.assign(**{c: table[c].round(2) for c in ("amount", "debit", "credit")})
    block = top_n_with_other(view, top_n, ("amount", "lines", "debit", "credit"), key_name)
    total = float(table["amount"].sum())
    block["other"]["share"] = ratio(table["amount"].iloc[top_n:].sum(), total) if total else None
    return block


def monthly_expense(month: np.ndarray, amount: np.ndarray) -> list[dict[str, Any]]:
    """Every month from the first to the last expense line (only the active ones when the span is
    longer than MAX_CALENDAR_MONTHS), with the change against the calendar month before (in money and
    in percent of the earlier month; None where there is no earlier month or it is 0)."""
    first = int(month.min())
    offset = month - first
    size = int(offset.max()) + 1
    amounts = np.bincount(offset, weights=amount, minlength=size).round(2)
    lines = np.bincount(offset, minlength=size)
    months: list[dict[str, Any]] = []
    for i in range(size):  # one entry per month, not per row
        previous = amounts[i - 1] if i else None
        change = None if previous is None else money(amounts[i] - previous)
        months.append(
            {
                "month": month_label(first + i),
                "amount": float(amounts[i]),
                "lines": int(lines[i]),
                "change_amount": change,
                "change_pct": (
                    None
                    if previous is None or previous == 0
                    else round(100.0 * (amounts[i] - previous) / abs(previous), 2)
                ),
            }
        )
    if size > MAX_CALENDAR_MONTHS:
        months = [m for m in months if m["lines"]]
    return months


def new_vendors(
    all_vendors: pd.Series,
    all_months: np.ndarray,
    all_dates: pd.Series,
    expense_by_vendor: pd.DataFrame,
    window_months: int,
    top_n: int,
) -> dict[str, Any] | None:
    """Vendors with expense whose first line anywhere in the file falls in its last ``window_months``
    months, against the vendors already seen before. None when the file has no earlier months."""
    last = int(all_months.max())
    window_start = last - window_months + 1
    if int(all_months.min()) >= window_start:
        return None
    work = pd.DataFrame({"vendor": all_vendors.array, "month": all_months, "posting_date": all_dates.to_numpy()})
    first_seen = work.groupby("vendor", observed=True, sort=False).agg(
        first_month=("month", "min"), first_seen=("posting_date", "min")
    )
    vendors = expense_by_vendor.drop(index=BLANK_LABEL, errors="ignore")
    first_seen = first_seen.reindex(vendors.index)
    is_new = (first_seen["first_month"] >= window_start).to_numpy()
    fresh = vendors[is_new].assign(first_seen=first_seen.loc[is_new, "first_seen"].map(iso))
    fresh = fresh[["first_seen", "amount", "lines"]].assign(amount=lambda t: t["amount"].round(2))
    return {
        "window_start": month_label(window_start),
        "window_months": window_months,
        "first_seen_basis": "first line of the vendor anywhere in the file",
        "vendors_seen_before": int((~is_new).sum()),
        "count": int(is_new.sum()),
        "amount": money(vendors.loc[is_new, "amount"].sum()),
        "share_of_expense": ratio(vendors.loc[is_new, "amount"].sum(), vendors["amount"].sum()),
        "items": records(fresh.iloc[:top_n].rename_axis("vendor").reset_index()),
    }


def vendor_concentration(expense_by_vendor: pd.DataFrame, total_expense: float) -> dict[str, Any]:
    """How much of the vendor spend goes to the largest vendors, and the Herfindahl index of the
    spend shares (sum of squared shares: 1/N for N equal vendors, 1.0 for a single vendor)."""
    named = expense_by_vendor.drop(index=BLANK_LABEL, errors="ignore")
    # Vendors whose credits exceed their debits received nothing net; they hold no share of spend.
    spend = np.sort(np.clip(named["amount"].to_numpy(), 0.0, None))[::-1]
    spend_total = spend.sum()
    shares = spend / spend_total if spend_total > 0 else spend
    hhi = float((shares**2).sum()) if spend_total > 0 else None
    blank_amount = float(expense_by_vendor["amount"].get(BLANK_LABEL, 0.0))
    return {
        "vendors": int(len(named)),
        "vendors_with_spend": int((spend > 0).sum()),
        "spend_with_vendor": money(spend_total),
        "expense_without_vendor": money(blank_amount),
        "expense_without_vendor_share": ratio(blank_amount, total_expense),
        "top_1_share": None if hhi is None else round(float(shares[:1].sum()), 4),
        "top_5_share": None if hhi is None else round(float(shares[:5].sum()), 4),
        "top_10_share": None if hhi is None else round(float(shares[:10].sum()), 4),
        "herfindahl_index": None if hhi is None else round(hhi, 4),
        "effective_vendors": None if not hhi else round(1.0 / hhi, 2),
    }
