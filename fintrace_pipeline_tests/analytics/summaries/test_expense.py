from __future__ import annotations

import json

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    ExpenseOptions,
    run_comprehensive_expense,
)
from fintrace_pipeline.findings import COMPLETED, SKIPPED


def test_summary_and_identification_by_account_code(expense_ledger: pd.DataFrame) -> None:
    result = run_comprehensive_expense(expense_ledger)
    assert result.status == COMPLETED and result.analytics_type == "comprehensive_expense"
    assert result.summary == {"total_transactions": 6, "total_amount": 720.0, "unique_users": 3, "unique_accounts": 2}
    breakdown = result.sections["expense_breakdown"]
    identification = breakdown["identification"]
    assert identification["method"] == "account_code"
    assert (
        identification["expense_lines"],
        identification["lines_by_account_code"],
        identification["lines_by_account_name"],
    ) == (6, 6, 0)
    assert breakdown["totals"] == {"expense_lines": 6, "gross_debits": 740.0, "credits": 20.0, "net_expense": 720.0}
    assert result.skipped == [{"check": "by_cost_center", "reason": "no cost_center column"}]
    assert result.parameters["account_code_ranges"] == [[5000, 8999]]
    json.dumps(result.sections, allow_nan=False)


def test_top_n_with_other(expense_ledger: pd.DataFrame) -> None:
    by_vendor = run_comprehensive_expense(expense_ledger, ExpenseOptions(top_n=1)).sections["expense_breakdown"][
        "by_vendor"
    ]
    assert by_vendor["total_groups"] == 3 and by_vendor["shown"] == 1
    assert by_vendor["other"] == {"groups": 2, "amount": 90.0, "lines": 2, "debit": 90.0, "credit": 0.0, "share": 0.125}


def test_chart_and_export_data(expense_ledger: pd.DataFrame) -> None:
    sections = run_comprehensive_expense(expense_ledger).sections
    charts = sections["chart_data"]
    assert charts["expense_by_category"] == {"labels": ["6100 Rent", "7000 Travel"], "values": [630.0, 90.0]}
    assert charts["expense_by_month"]["values"] == [100.0, 300.0, 320.0]
    assert charts["expense_by_vendor"]["labels"] == ["Acme", "Air", "NewCo"]
    assert sections["export_data"]["by_vendor"]["rows"][0] == ["Acme", 630.0, 0.875, 4, 650.0, 20.0]


def test_skips_without_account_columns_or_expense_lines(expense_ledger: pd.DataFrame) -> None:
    no_accounts = run_comprehensive_expense(expense_ledger.drop(columns=["account", "account_name"]))
    assert no_accounts.status == SKIPPED
    assert no_accounts.error_message == "no account or account_name column to identify expense lines"
    balance_sheet_only = expense_ledger[expense_ledger["account"] == "1000"]
    none_found = run_comprehensive_expense(balance_sheet_only)
    assert none_found.status == SKIPPED and none_found.error_message.startswith("no expense lines")
    empty = run_comprehensive_expense(expense_ledger.iloc[:0])
    assert empty.status == SKIPPED and empty.error_message == "no transactions to analyse"
