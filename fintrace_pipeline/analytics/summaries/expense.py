"""The comprehensive_expense stage: where the money is spent.

Expense lines are found by account class (see ``summary_expense_lines``); the expense of a line is its
signed amount, so debits to expense accounts add and credits (refunds, reversals) reduce. The result
breaks the expense down by account, vendor, month, cost center and user, tracks month-over-month
change, new vendors and how concentrated the spend is on a few vendors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.stage import completed_result, skipped_result
from fintrace_pipeline.analytics.summaries.common import (
    chart_series,
    distinct_values,
    key_column,
    money,
    month_index,
    sheet,
)
from fintrace_pipeline.analytics.summaries.expense_lines import identify_expense_lines
from fintrace_pipeline.analytics.summaries.expense_vendors import (
    breakdown_block,
    expense_by,
    monthly_expense,
    new_vendors,
    vendor_concentration,
)
from fintrace_pipeline.findings import AnalysisResult

ANALYTICS_TYPE = "comprehensive_expense"

DEFAULT_EXPENSE_KEYWORDS = (
    "expense",
    "cost",
    "travel",
    "supplies",
    "fees",
    "rent",
    "utilities",
    "salaries",
    "wages",
    "payroll",
    "insurance",
    "maintenance",
    "repairs",
    "advertising",
    "marketing",
    "depreciation",
    "amortization",
    "freight",
    "postage",
    "telephone",
    "meals",
    "entertainment",
    "consulting",
    "training",
    "subscriptions",
    "bank charges",
)
# Balance-sheet accounts that carry expense words ("Accrued expenses", "Prepaid rent").
DEFAULT_EXCLUDED_KEYWORDS = ("accrued", "prepaid", "payable", "deferred", "accumulated")

# Optional dimensions broken down as top-N lists: canonical column -> key name in the section.
_DIMENSIONS = (("vendor", "by_vendor"), ("cost_center", "by_cost_center"), ("user", "by_user"))


@dataclass(frozen=True)
class ExpenseOptions(Options):
    account_code_ranges: tuple[tuple[int, int], ...] = ((5000, 8999),)  # inclusive, leading number
    name_keywords: tuple[str, ...] = DEFAULT_EXPENSE_KEYWORDS
    name_exclusions: tuple[str, ...] = DEFAULT_EXCLUDED_KEYWORDS
    # False: names decide only for accounts without a leading number; True: a matching name also
    # makes a numbered account outside the ranges an expense.
    names_override_codes: bool = False
    top_n: int = 20
    chart_top_n: int = 10
    new_vendor_months: int = 1  # "new" = first seen in this many last months of the file


def _no_expense_reason(options: ExpenseOptions) -> str:
    ranges = ", ".join(f"{low}-{high}" for low, high in options.account_code_ranges) or "none"
    return (
        f"no expense lines: no account code in {ranges} and no account name matching "
        f"{', '.join(options.name_keywords) or 'no keywords'}"
    )


def _category_keys(expenses: pd.DataFrame) -> tuple[pd.Series, pd.Series | None, str]:
    """Expense categories are accounts (with their name) when the file has accounts, else names."""
    if "account" in expenses.columns:
        names = expenses["account_name"] if "account_name" in expenses.columns else None
        return key_column(expenses, "account"), names, "account"
    return key_column(expenses, "account_name"), None, "account_name"


def _by_category(expenses: pd.DataFrame, amount: np.ndarray, total: float, top_n: int) -> dict[str, Any]:
    keys, names, key_name = _category_keys(expenses)
    table = expense_by(keys, amount, total)
    if names is not None:
        first_name = names.groupby(keys, observed=True, sort=False).first()
        table.insert(0, "account_name", first_name.reindex(table.index).astype(object))
    block = breakdown_block(table, top_n, key_name)
    block["key"] = key_name
    return block


def _category_label(item: dict[str, Any]) -> str:
    name = item.get("account_name")
    key = item.get("account", item.get("account_name"))
    return f"{key} {name}" if name and name != key else str(key)


def _chart_data(breakdown: dict[str, Any], top_n: int) -> dict[str, Any]:
    categories = breakdown["by_category"]["items"][:top_n]
    vendors = breakdown["by_vendor"]["items"][:top_n] if breakdown["by_vendor"] else None
    months = breakdown["by_month"]
    return {
        "expense_by_category": chart_series(
            [_category_label(c) for c in categories], [c["amount"] for c in categories]
        ),
        "expense_by_vendor": (
            None if vendors is None else chart_series([v["vendor"] for v in vendors], [v["amount"] for v in vendors])
        ),
        "expense_by_month": chart_series([m["month"] for m in months], [m["amount"] for m in months]),
    }


def _export_data(breakdown: dict[str, Any]) -> dict[str, Any]:
    category = breakdown["by_category"]
    export = {
        "by_category": sheet(
            (category["key"], "account_name", "amount", "share", "lines", "debit", "credit"), category["items"]
        ),
        "by_month": sheet(("month", "amount", "lines", "change_amount", "change_pct"), breakdown["by_month"]),
    }
    if breakdown["by_vendor"] is not None:
        export["by_vendor"] = sheet(
            ("vendor", "amount", "share", "lines", "debit", "credit"), breakdown["by_vendor"]["items"]
        )
    if breakdown["new_vendors"] is not None:
        export["new_vendors"] = sheet(("vendor", "first_seen", "amount", "lines"), breakdown["new_vendors"]["items"])
    return export


def run_comprehensive_expense(transactions: pd.DataFrame, options: ExpenseOptions | None = None) -> AnalysisResult:
    options = options or ExpenseOptions()
    parameters = options.parameters()
    if "account" not in transactions.columns and "account_name" not in transactions.columns:
        return skipped_result(ANALYTICS_TYPE, parameters, "no account or account_name column to identify expense lines")
    if transactions.empty:
        return skipped_result(ANALYTICS_TYPE, parameters, "no transactions to analyse")

    lines = identify_expense_lines(
        transactions,
        options.account_code_ranges,
        options.name_keywords,
        options.name_exclusions,
        options.names_override_codes,
    )
    if not lines.mask.any():
        return skipped_result(ANALYTICS_TYPE, parameters, _no_expense_reason(options))

    expenses = transactions[lines.mask]
    amount = np.nan_to_num(expenses["amount"].to_numpy(dtype="float64", na_value=np.nan))
    total = float(amount.sum())
    months = month_index(expenses["posting_date"])
    skipped: list[dict[str, str]] = []

    breakdown: dict[str, Any] = {
        "identification": {
            "method": lines.method,
            "account_code_ranges": [list(r) for r in options.account_code_ranges],
            "name_keywords": list(options.name_keywords),
            "lines_examined": int(len(transactions)),
            "expense_lines": int(lines.mask.sum()),
            "lines_by_account_code": int(lines.by_account_code.sum()),
            "lines_by_account_name": int(lines.by_account_name.sum()),
        },
        "totals": {
            "expense_lines": int(len(expenses)),
            "gross_debits": money(np.clip(amount, 0.0, None).sum()),
            "credits": money(np.clip(-amount, 0.0, None).sum()),
            "net_expense": money(total),
        },
        "by_category": _by_category(expenses, amount, total, options.top_n),
        "by_month": monthly_expense(months, amount),
    }
    vendor_table = None
    for column, section_key in _DIMENSIONS:
        if column in expenses.columns:
            table = expense_by(key_column(expenses, column), amount, total)
            breakdown[section_key] = breakdown_block(table, options.top_n, column)
            if column == "vendor":
                vendor_table = table
        else:
            breakdown[section_key] = None
            skipped.append({"check": section_key, "reason": f"no {column} column"})

    breakdown["new_vendors"] = None
    breakdown["vendor_concentration"] = None
    if vendor_table is not None:
        breakdown["vendor_concentration"] = vendor_concentration(vendor_table, total)
        breakdown["new_vendors"] = new_vendors(
            key_column(transactions, "vendor"),
            month_index(transactions["posting_date"]),
            transactions["posting_date"],
            vendor_table,
            options.new_vendor_months,
            options.top_n,
        )
        if breakdown["new_vendors"] is None:
            skipped.append(
                {
                    "check": "new_vendors",
                    "reason": f"the file covers no months before its last {options.new_vendor_months}",
                }
            )
    else:
        skipped.append({"check": "new_vendors", "reason": "no vendor column"})
        skipped.append({"check": "vendor_concentration", "reason": "no vendor column"})

    summary: dict[str, Any] = {"total_transactions": int(len(expenses)), "total_amount": money(total)}
    for column, field in (("user", "unique_users"), ("account", "unique_accounts")):
        if column in expenses.columns:
            summary[field] = distinct_values(expenses, column)
    sections = {
        "expense_breakdown": breakdown,
        "chart_data": _chart_data(breakdown, options.chart_top_n),
        "export_data": _export_data(breakdown),
    }
    return completed_result(ANALYTICS_TYPE, summary, sections, parameters, skipped)
