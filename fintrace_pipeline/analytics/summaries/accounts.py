"""Per-account activity (the table behind the trial balance and the account patterns section)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.summaries.common import money, ranked, records, top_n_with_other

MONEY_COLUMNS = ("debit", "credit", "net", "volume")
# The columns of an account's line in the account patterns and in the accounts sheet.
ACCOUNT_COLUMNS = (
    "account",
    "account_name",
    "lines",
    "volume",
    "debit",
    "credit",
    "active_days",
    "active_months",
    "first_posting",
    "last_posting",
)


def account_activity(
    accounts: pd.Series,
    account_names: pd.Series | None,
    posting_date: pd.Series,
    day: np.ndarray,
    month: np.ndarray,
    debit: np.ndarray,
    credit: np.ndarray,
) -> pd.DataFrame:
    """One row per account (indexed by the account key): name, lines, debit, credit, net, volume,
    active days and months, first and last posting. Ranked by volume, largest first."""
    work = pd.DataFrame(
        {
            "account": accounts,
            "debit": debit,
            "credit": credit,
            "day": day,
            "month": month,
            "posting_date": posting_date.to_numpy(),
        },
        index=accounts.index,
    )
    table = work.groupby("account", observed=True, sort=False).agg(
        lines=("debit", "size"),
        debit=("debit", "sum"),
        credit=("credit", "sum"),
        active_days=("day", "nunique"),
        active_months=("month", "nunique"),
        first_posting=("posting_date", "min"),
        last_posting=("posting_date", "max"),
    )
    table["net"] = table["debit"] - table["credit"]
    table["volume"] = table["debit"] + table["credit"]
    if account_names is not None:
        # An account normally has one name; the first one given stands for it.
        names = account_names.groupby(accounts, observed=True, sort=False).first()
        table.insert(0, "account_name", names.reindex(table.index).astype(object))
    return ranked(table, "volume")


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    present = [c for c in MONEY_COLUMNS if c in table.columns]
    return table.assign(**{c: table[c].round(2) for c in present})


def account_patterns_section(activity: pd.DataFrame, top_n: int, seldom_used_max_lines: int) -> dict[str, Any]:
    """Top accounts by volume and the seldom-used accounts (few lines), both bounded to ``top_n``."""
    columns = [c for c in ACCOUNT_COLUMNS if c in activity.columns]
    view = rounded(activity[columns])
    seldom = view[view["lines"] <= seldom_used_max_lines]
    lines_per_account = activity["lines"]
    return {
        "accounts_total": int(len(activity)),
        "lines_per_account": {
            "median": float(lines_per_account.median()) if len(activity) else None,
            "max": int(lines_per_account.max()) if len(activity) else None,
        },
        "top_accounts": top_n_with_other(view, top_n, ("lines", "volume", "debit", "credit"), "account"),
        "seldom_used": {
            "max_lines": seldom_used_max_lines,
            "count": int(len(seldom)),
            "lines": int(seldom["lines"].sum()),
            "volume": money(activity.loc[seldom.index, "volume"].sum()),
            # Largest amounts first: a big posting to a rarely used account is the one to look at.
            "items": records(seldom.iloc[:top_n].rename_axis("account").reset_index()),
        },
    }
