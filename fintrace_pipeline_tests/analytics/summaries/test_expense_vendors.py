from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    run_comprehensive_expense,
)
from fintrace_pipeline.findings import COMPLETED


def test_breakdown_by_category_vendor_user(expense_ledger: pd.DataFrame) -> None:
    breakdown = run_comprehensive_expense(expense_ledger).sections["expense_breakdown"]
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


def test_month_over_month(expense_ledger: pd.DataFrame) -> None:
    months = run_comprehensive_expense(expense_ledger).sections["expense_breakdown"]["by_month"]
    assert months == [
        {"month": "2024-01", "amount": 100.0, "lines": 1, "change_amount": None, "change_pct": None},
        {"month": "2024-02", "amount": 300.0, "lines": 2, "change_amount": 200.0, "change_pct": 200.0},
        {"month": "2024-03", "amount": 320.0, "lines": 3, "change_amount": 20.0, "change_pct": 6.67},
    ]


def test_new_vendors_and_concentration(expense_ledger: pd.DataFrame) -> None:
    breakdown = run_comprehensive_expense(expense_ledger).sections["expense_breakdown"]
    new = breakdown["new_vendors"]
    assert new["window_start"] == "2024-03" and new["vendors_seen_before"] == 2 and new["count"] == 1
    assert new["items"] == [{"vendor": "NewCo", "first_seen": "2024-03-11T00:00:00", "amount": 40.0, "lines": 1}]
    concentration = breakdown["vendor_concentration"]
    # Shares 630/720, 50/720, 40/720: HHI = 0.765625 + 0.004823 + 0.003086.
    assert concentration["top_1_share"] == 0.875 and concentration["top_5_share"] == 1.0
    assert concentration["herfindahl_index"] == 0.7735
    assert concentration["vendors"] == 3 and concentration["expense_without_vendor"] == 0.0


def test_missing_vendor_column_skips_vendor_checks(expense_ledger: pd.DataFrame) -> None:
    result = run_comprehensive_expense(expense_ledger.drop(columns=["vendor"]))
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


def test_single_month_file_has_no_new_vendor_comparison(expense_ledger: pd.DataFrame) -> None:
    march = expense_ledger[expense_ledger["posting_date"] >= "2024-03-01"]
    result = run_comprehensive_expense(march)
    assert result.sections["expense_breakdown"]["new_vendors"] is None
    assert "new_vendors" in {s["check"] for s in result.skipped}
