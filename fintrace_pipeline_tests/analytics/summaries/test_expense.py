from __future__ import annotations

import json

import pandas as pd
import pytest

from fintrace_pipeline.analytics.summaries import ExpenseOptions, run_comprehensive_expense
from fintrace_pipeline.findings import COMPLETED, SKIPPED


def _text(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")


@pytest.fixture
def ledger() -> pd.DataFrame:
    # Expense lines: the 6100 and 7000 accounts (rows 1, 3, 5, 6, 7, 8); row 7 is a refund (-20).
    return pd.DataFrame(
        {
            "row_number": range(1, 9),
            "posting_date": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-01-20",
                    "2024-02-03",
                    "2024-02-15",
                    "2024-02-28",
                    "2024-03-01",
                    "2024-03-10",
                    "2024-03-11",
                ]
            ),
            "amount": [100.0, -100.0, 250.0, -200.0, 50.0, 300.0, -20.0, 40.0],
            "account": _text(["6100", "1000", "6100", "1000", "7000", "6100", "6100", "7000"]),
            "account_name": _text(["Rent", "Cash", "Rent", "Cash", "Travel", "Rent", "Rent", "Travel"]),
            "vendor": _text(["Acme", "Bank", "Acme", None, "Air", "Acme", "Acme", "NewCo"]),
            "user": _text(["ann", "ann", "bob", "bob", "carl", None, "ann", "bob"]),
        }
    )


def test_summary_and_identification_by_account_code(ledger: pd.DataFrame) -> None:
    result = run_comprehensive_expense(ledger)
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


def test_breakdown_by_category_vendor_user(ledger: pd.DataFrame) -> None:
    breakdown = run_comprehensive_expense(ledger).sections["expense_breakdown"]
    assert breakdown["by_category"]["items"] == [
        {
            "account": "6100",
            "account_name": "Rent",
            "amount": 630.0,
            "lines": 4,
            "debit": 650.0,
            "credit": 20.0,
            "share": 0.875,
        },
        {
            "account": "7000",
            "account_name": "Travel",
            "amount": 90.0,
            "lines": 2,
            "debit": 90.0,
            "credit": 0.0,
            "share": 0.125,
        },
    ]
    assert [(v["vendor"], v["amount"], v["share"]) for v in breakdown["by_vendor"]["items"]] == [
        ("Acme", 630.0, 0.875),
        ("Air", 50.0, round(50 / 720, 4)),
        ("NewCo", 40.0, round(40 / 720, 4)),
    ]
    assert [(u["user"], u["amount"]) for u in breakdown["by_user"]["items"]] == [
        ("(blank)", 300.0),
        ("bob", 290.0),
        ("ann", 80.0),
        ("carl", 50.0),
    ]


def test_top_n_with_other(ledger: pd.DataFrame) -> None:
    by_vendor = run_comprehensive_expense(ledger, ExpenseOptions(top_n=1)).sections["expense_breakdown"]["by_vendor"]
    assert by_vendor["total_groups"] == 3 and by_vendor["shown"] == 1
    assert by_vendor["other"] == {"groups": 2, "amount": 90.0, "lines": 2, "debit": 90.0, "credit": 0.0, "share": 0.125}


def test_month_over_month(ledger: pd.DataFrame) -> None:
    months = run_comprehensive_expense(ledger).sections["expense_breakdown"]["by_month"]
    assert months == [
        {"month": "2024-01", "amount": 100.0, "lines": 1, "change_amount": None, "change_pct": None},
        {"month": "2024-02", "amount": 300.0, "lines": 2, "change_amount": 200.0, "change_pct": 200.0},
        {"month": "2024-03", "amount": 320.0, "lines": 3, "change_amount": 20.0, "change_pct": 6.67},
    ]


def test_new_vendors_and_concentration(ledger: pd.DataFrame) -> None:
    breakdown = run_comprehensive_expense(ledger).sections["expense_breakdown"]
    new = breakdown["new_vendors"]
    assert new["window_start"] == "2024-03" and new["vendors_seen_before"] == 2 and new["count"] == 1
    assert new["items"] == [{"vendor": "NewCo", "first_seen": "2024-03-11T00:00:00", "amount": 40.0, "lines": 1}]
    concentration = breakdown["vendor_concentration"]
    # Shares 630/720, 50/720, 40/720: HHI = 0.765625 + 0.004823 + 0.003086.
    assert concentration["top_1_share"] == 0.875 and concentration["top_5_share"] == 1.0
    assert concentration["herfindahl_index"] == 0.7735
    assert concentration["vendors"] == 3 and concentration["expense_without_vendor"] == 0.0


def test_chart_and_export_data(ledger: pd.DataFrame) -> None:
    sections = run_comprehensive_expense(ledger).sections
    charts = sections["chart_data"]
    assert charts["expense_by_category"] == {"labels": ["6100 Rent", "7000 Travel"], "values": [630.0, 90.0]}
    assert charts["expense_by_month"]["values"] == [100.0, 300.0, 320.0]
    assert charts["expense_by_vendor"]["labels"] == ["Acme", "Air", "NewCo"]
    assert sections["export_data"]["by_vendor"]["rows"][0] == ["Acme", 630.0, 0.875, 4, 650.0, 20.0]


def test_identification_by_account_name_without_codes() -> None:
    frame = pd.DataFrame(
        {
            "row_number": range(1, 6),
            "posting_date": pd.to_datetime(["2024-04-01", "2024-04-02", "2024-04-03", "2024-04-04", "2024-04-05"]),
            "amount": [75.0, 20.0, 500.0, 900.0, 12.5],
            # "Current assets" contains "rent" inside a word; "Accrued expenses" is a liability.
            "account_name": _text(
                ["Office Supplies", "Bank fees", "Accrued expenses", "Current assets", "Travel & meals"]
            ),
        }
    )
    result = run_comprehensive_expense(frame)
    identification = result.sections["expense_breakdown"]["identification"]
    assert identification["method"] == "account_name"
    assert identification["lines_by_account_name"] == 3 and identification["lines_by_account_code"] == 0
    assert result.summary == {"total_transactions": 3, "total_amount": 107.5}
    by_category = result.sections["expense_breakdown"]["by_category"]
    assert by_category["key"] == "account_name"
    assert [c["account_name"] for c in by_category["items"]] == ["Office Supplies", "Bank fees", "Travel & meals"]


def test_names_decide_only_for_uncoded_accounts_unless_told() -> None:
    frame = pd.DataFrame(
        {
            "row_number": [1, 2, 3],
            "posting_date": pd.to_datetime(["2024-04-01"] * 3),
            "amount": [10.0, 20.0, 40.0],
            "account": _text(["6000", "1200", "Travel costs"]),
            "account_name": _text(["Wages", "Travel advances", None]),
        }
    )
    default = run_comprehensive_expense(frame)
    assert default.summary["total_amount"] == 50.0  # 6000 by code, "Travel costs" by name
    assert default.sections["expense_breakdown"]["identification"]["method"] == "account_code+account_name"
    widened = run_comprehensive_expense(frame, ExpenseOptions(names_override_codes=True))
    assert widened.summary["total_amount"] == 70.0


def test_missing_vendor_column_skips_vendor_checks(ledger: pd.DataFrame) -> None:
    result = run_comprehensive_expense(ledger.drop(columns=["vendor"]))
    assert result.status == COMPLETED
    assert {s["check"] for s in result.skipped} == {
        "by_vendor",
        "by_cost_center",
        "new_vendors",
        "vendor_concentration",
    }
    breakdown = result.sections["expense_breakdown"]
    assert breakdown["by_vendor"] is None and breakdown["new_vendors"] is None
    assert result.sections["chart_data"]["expense_by_vendor"] is None


def test_single_month_file_has_no_new_vendor_comparison(ledger: pd.DataFrame) -> None:
    march = ledger[ledger["posting_date"] >= "2024-03-01"]
    result = run_comprehensive_expense(march)
    assert result.sections["expense_breakdown"]["new_vendors"] is None
    assert "new_vendors" in {s["check"] for s in result.skipped}


def test_skips_without_account_columns_or_expense_lines(ledger: pd.DataFrame) -> None:
    no_accounts = run_comprehensive_expense(ledger.drop(columns=["account", "account_name"]))
    assert no_accounts.status == SKIPPED
    assert no_accounts.error_message == "no account or account_name column to identify expense lines"
    balance_sheet_only = ledger[ledger["account"] == "1000"]
    none_found = run_comprehensive_expense(balance_sheet_only)
    assert none_found.status == SKIPPED and none_found.error_message.startswith("no expense lines")
    empty = run_comprehensive_expense(ledger.iloc[:0])
    assert empty.status == SKIPPED and empty.error_message == "no transactions to analyse"
