"""Trial balance: debits and credits per account, the overall balance check and unbalanced entries."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.summaries.accounts import rounded
from fintrace_pipeline.analytics.summaries.common import money, records, top_n_with_other


def balance_check(total_debit: float, total_credit: float, tolerance: float) -> dict[str, Any]:
    difference = money(total_debit - total_credit)
    return {
        "total_debit": money(total_debit),
        "total_credit": money(total_credit),
        "difference": difference,
        "tolerance": tolerance,
        "balanced": bool(abs(difference) <= tolerance),
    }


def trial_balance_accounts(activity: pd.DataFrame, max_accounts: int) -> dict[str, Any]:
    """Every account in account order, or when there are more than ``max_accounts`` the largest by
    volume (still in account order) plus what the others add up to."""
    columns = [c for c in ("account_name", "debit", "credit", "net", "lines") if c in activity.columns]
    block = top_n_with_other(rounded(activity[columns]), max_accounts, ("debit", "credit", "net", "lines"), "account")
    block["items"].sort(key=lambda item: item["account"])
    block["truncated"] = block["other"]["groups"] > 0
    return block


def unbalanced_entries(
    je_number: pd.Series, debit: np.ndarray, credit: np.ndarray, tolerance: float, top_n: int
) -> dict[str, Any]:
    """Journal entries whose debits and credits differ by more than ``tolerance``: all of them when
    there are at most ``top_n``, else the ``top_n`` largest absolute differences, always with the count
    and total of all of them."""
    present = je_number.notna().to_numpy()
    work = pd.DataFrame(
        {"je_number": je_number[present].to_numpy(), "debit": debit[present], "credit": credit[present]}
    )
    entries = work.groupby("je_number", sort=False).agg(
        lines=("debit", "size"), debit=("debit", "sum"), credit=("credit", "sum")
    )
    # Round before comparing so float noise in long sums never unbalances an entry.
    entries["difference"] = (entries["debit"] - entries["credit"]).round(2)
    off = entries[entries["difference"].abs() > tolerance]
    off = off.assign(abs_difference=off["difference"].abs()).sort_values(
        ["abs_difference", "lines"], ascending=False, kind="stable"
    )
    shown = rounded(off.iloc[:top_n].drop(columns="abs_difference"))
    shown["lines"] = shown["lines"].astype("int64")
    return {
        "entries_checked": int(len(entries)),
        "lines_without_je_number": int((~present).sum()),
        "unbalanced_count": int(len(off)),
        "unbalanced_total_difference": money(off["difference"].sum()),
        "unbalanced_total_abs_difference": money(off["abs_difference"].sum()),
        "shown": int(len(shown)),
        "entries": records(shown.reset_index()),
    }
