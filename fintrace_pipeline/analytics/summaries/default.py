"""The default_analytics stage: what is in the ledger before any judgement about it.

Totals, the trial balance (per account and overall, plus journal entries that do not balance), the
stratification of amounts by size, who posts what, how accounts are used and when money moves (with
the aging of documents where the file dates them), with ready-to-plot series and sheet-ready tables.
This stage raises no per-row flags (unbalanced entries are flagged by anomaly_detection).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.stage import completed_result, skipped_result
from fintrace_pipeline.analytics.summaries.accounts import (
    ACCOUNT_COLUMNS,
    account_activity,
    account_patterns_section,
)
from fintrace_pipeline.analytics.summaries.aging import DOCUMENT_DATE, AgingOptions, aging
from fintrace_pipeline.analytics.summaries.common import (
    chart_series,
    distinct_values,
    iso,
    key_column,
    money,
    month_index,
    sheet,
)
from fintrace_pipeline.analytics.summaries.stratification import StratificationOptions, stratification
from fintrace_pipeline.analytics.summaries.temporal import temporal_patterns_section
from fintrace_pipeline.analytics.summaries.trial_balance import (
    balance_check,
    trial_balance_accounts,
    unbalanced_entries,
)
from fintrace_pipeline.analytics.summaries.users import USER_COLUMNS, user_activity, user_patterns_section
from fintrace_pipeline.analytics.working_time import WEEKDAY_NAMES, WorkingTime, time_of_day_source
from fintrace_pipeline.findings import AnalysisResult

ANALYTICS_TYPE = "default_analytics"
NO_TIME_REASON = "no time of day in entry_date or posting_date"


# Listed last first, so the stored parameters read working time, stratification, aging, then the rest.
@dataclass(frozen=True)
class DefaultAnalyticsOptions(AgingOptions, StratificationOptions, WorkingTime):
    top_n: int = 25  # users, accounts, seldom-used accounts and unbalanced entries listed
    max_trial_balance_accounts: int = 200  # beyond this the trial balance lists the largest + "other"
    chart_top_n: int = 10
    balance_tolerance: float = 0.01  # debits and credits within a cent count as balanced
    seldom_used_max_lines: int = 3  # an account with at most this many lines is seldom used
    period_end_days: int = 3  # the "last N days of each month" window


@dataclass(frozen=True)
class _Ledger:
    """The per-row arrays every section reads, computed once."""

    frame: pd.DataFrame
    posting_date: pd.Series
    debit: np.ndarray
    credit: np.ndarray
    volume: np.ndarray
    day: np.ndarray
    month: np.ndarray
    weekend: np.ndarray
    accounts: pd.Series | None
    users: pd.Series | None
    time_source: str | None
    hours: np.ndarray | None  # hour of day as float, NaN where the time source is missing


def _prepare(frame: pd.DataFrame, working_time: WorkingTime) -> _Ledger:
    amount = np.nan_to_num(frame["amount"].to_numpy(dtype="float64", na_value=np.nan))
    posting_date = frame["posting_date"]
    source = time_of_day_source(frame)
    hours = None
    if source is not None:
        hours = frame[source].dt.hour.to_numpy(dtype="float64", na_value=np.nan)
    return _Ledger(
        frame=frame,
        posting_date=posting_date,
        debit=np.clip(amount, 0.0, None),
        credit=np.clip(-amount, 0.0, None),
        volume=np.abs(amount),
        day=posting_date.to_numpy().astype("datetime64[D]").astype("int64"),
        month=month_index(posting_date),
        weekend=working_time.on_weekend(posting_date),
        accounts=key_column(frame, "account") if "account" in frame.columns else None,
        users=key_column(frame, "user") if "user" in frame.columns else None,
        time_source=source,
        hours=hours,
    )


def _totals(ledger: _Ledger) -> dict[str, Any]:
    frame = ledger.frame
    return {
        "rows": int(len(frame)),
        "total_debit": money(ledger.debit.sum()),
        "total_credit": money(ledger.credit.sum()),
        "net": money(ledger.debit.sum() - ledger.credit.sum()),
        "absolute_volume": money(ledger.volume.sum()),
        "unique_users": distinct_values(frame, "user"),
        "unique_accounts": distinct_values(frame, "account"),
        "unique_vendors": distinct_values(frame, "vendor"),
        "first_posting": iso(ledger.posting_date.min()),
        "last_posting": iso(ledger.posting_date.max()),
    }


def _chart_data(sections: dict[str, Any], chart_top_n: int) -> dict[str, Any]:
    temporal = sections["temporal_patterns"]
    months = temporal["by_month"]
    charts: dict[str, Any] = {
        "monthly_volume": chart_series([m["month"] for m in months], [m["volume"] for m in months]),
        "weekday_counts": chart_series(WEEKDAY_NAMES, [d["lines"] for d in temporal["by_weekday"]]),
        "hourly_counts": None,
        "top_accounts": None,
        "top_users": None,
    }
    if temporal["by_hour"] is not None:
        charts["hourly_counts"] = chart_series(
            [h["hour"] for h in temporal["by_hour"]], [h["lines"] for h in temporal["by_hour"]]
        )
    if sections["account_patterns"] is not None:
        top = sections["account_patterns"]["top_accounts"]["items"][:chart_top_n]
        charts["top_accounts"] = chart_series([a["account"] for a in top], [a["volume"] for a in top])
    if sections["user_patterns"] is not None:
        top = sections["user_patterns"]["top_users"]["items"][:chart_top_n]
        charts["top_users"] = chart_series([u["user"] for u in top], [u["volume"] for u in top])
    bands = sections["trial_balance_data"]["stratification"]["bands"]
    charts["stratification"] = chart_series([b["band"] for b in bands], [b["total"] for b in bands])
    return charts


def _export_data(sections: dict[str, Any]) -> dict[str, Any]:
    """Sheet-ready tables built from the (already bounded) sections."""
    trial_balance = sections["trial_balance_data"]
    export: dict[str, Any] = {
        "overview": sheet(("metric", "value"), list(trial_balance["totals"].items())),
        "monthly": sheet(
            ("month", "lines", "debit", "credit", "net", "volume"), sections["temporal_patterns"]["by_month"]
        ),
    }
    if trial_balance["accounts"] is not None:
        export["trial_balance"] = sheet(
            ("account", "account_name", "debit", "credit", "net", "lines"), trial_balance["accounts"]["items"]
        )
    if trial_balance["unbalanced_entries"] is not None:
        export["unbalanced_entries"] = sheet(
            ("je_number", "lines", "debit", "credit", "difference"), trial_balance["unbalanced_entries"]["entries"]
        )
    strata = trial_balance["stratification"]
    export["stratification"] = sheet(
        ("band", "lines", "total", "net", "share_of_lines", "share_of_total"), strata["bands"]
    )
    for column in ("account", "vendor"):
        if strata[f"by_{column}"] is not None:
            export[f"stratification_by_{column}"] = sheet(
                (column, "band", "lines", "total", f"share_of_{column}_total"), strata[f"by_{column}"]
            )
    aged = sections["temporal_patterns"].get("aging")
    if aged is not None:
        export["aging"] = sheet(("band", "lines", "total", "share_of_lines", "share_of_total"), aged["bands"])
    if sections["user_patterns"] is not None:
        export["users"] = sheet(USER_COLUMNS, sections["user_patterns"]["top_users"]["items"])
    if sections["account_patterns"] is not None:
        export["accounts"] = sheet(ACCOUNT_COLUMNS, sections["account_patterns"]["top_accounts"]["items"])
    return export


def run_default_analytics(transactions: pd.DataFrame, options: DefaultAnalyticsOptions | None = None) -> AnalysisResult:
    options = options or DefaultAnalyticsOptions()
    parameters = options.parameters()
    missing = AnalysisResult.skipped_for_missing_columns(
        ANALYTICS_TYPE, parameters, transactions.columns, ("posting_date", "amount")
    )
    if missing is not None:
        return missing
    if transactions.empty:
        return skipped_result(ANALYTICS_TYPE, parameters, "no transactions to analyse")

    ledger = _prepare(transactions, options)
    skipped: list[dict[str, str]] = []
    totals = _totals(ledger)

    account_table = None
    if ledger.accounts is not None:
        names = transactions["account_name"] if "account_name" in transactions.columns else None
        account_table = account_activity(
            ledger.accounts, names, ledger.posting_date, ledger.day, ledger.month, ledger.debit, ledger.credit
        )
    else:
        skipped.append({"check": "trial_balance_accounts", "reason": "no account column"})
        skipped.append({"check": "account_patterns", "reason": "no account column"})

    unbalanced = None
    if "je_number" in transactions.columns:
        unbalanced = unbalanced_entries(
            transactions["je_number"], ledger.debit, ledger.credit, options.balance_tolerance, options.top_n
        )
    else:
        skipped.append({"check": "unbalanced_entries", "reason": "no je_number column"})

    after_hours = None
    if ledger.time_source is not None:
        after_hours = options.outside_business_hours(transactions[ledger.time_source])
    else:
        skipped.append({"check": "hourly_activity", "reason": NO_TIME_REASON})

    user_patterns = None
    if ledger.users is not None:
        if after_hours is None:
            skipped.append({"check": "after_hours_share", "reason": NO_TIME_REASON})
        users = user_activity(
            ledger.users, ledger.accounts, ledger.posting_date, ledger.volume, ledger.weekend, after_hours
        )
        user_patterns = user_patterns_section(
            users,
            ledger.weekend,
            after_hours,
            ledger.time_source,
            options,
            options.top_n,
        )
    else:
        skipped.append({"check": "user_patterns", "reason": "no user column"})

    sections: dict[str, Any] = {
        "trial_balance_data": {
            "totals": totals,
            "balance_check": balance_check(ledger.debit.sum(), ledger.credit.sum(), options.balance_tolerance),
            "accounts": (
                None
                if account_table is None
                else trial_balance_accounts(account_table, options.max_trial_balance_accounts)
            ),
            "unbalanced_entries": unbalanced,
            "stratification": stratification(transactions, options, skipped),
        },
        "user_patterns": user_patterns,
        "account_patterns": (
            None
            if account_table is None
            else account_patterns_section(account_table, options.top_n, options.seldom_used_max_lines)
        ),
        "temporal_patterns": temporal_patterns_section(
            ledger.posting_date,
            ledger.month,
            ledger.debit,
            ledger.credit,
            ledger.hours,
            ledger.time_source,
            options.period_end_days,
        ),
    }
    if DOCUMENT_DATE in transactions.columns:
        sections["temporal_patterns"]["aging"] = aging(transactions, options)
    else:
        skipped.append({"check": "aging", "reason": f"no {DOCUMENT_DATE} column (an invoice or document date)"})
    sections["chart_data"] = _chart_data(sections, options.chart_top_n)
    sections["export_data"] = _export_data(sections)

    summary: dict[str, Any] = {"total_transactions": totals["rows"], "total_amount": totals["total_debit"]}
    if totals["unique_users"] is not None:
        summary["unique_users"] = totals["unique_users"]
    if totals["unique_accounts"] is not None:
        summary["unique_accounts"] = totals["unique_accounts"]
    return completed_result(ANALYTICS_TYPE, summary, sections, parameters, skipped)
