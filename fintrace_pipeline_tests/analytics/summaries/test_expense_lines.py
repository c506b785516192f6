from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    ExpenseOptions,
    run_comprehensive_expense,
)
from fintrace_pipeline_tests.analytics.summaries.frames import text_column


def test_identification_by_account_name_without_codes() -> None:
    frame = pd.DataFrame(
        {
            "row_number": range(1, 6),
            "posting_date": pd.to_datetime(["2024-04-01", "2024-04-02", "2024-04-03", "2024-04-04", "2024-04-05"]),
            "amount": [75.0, 20.0, 500.0, 900.0, 12.5],
            # "Current assets" contains "rent" inside a word; "Accrued expenses" is a liability.
            "account_name": text_column(
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
            "account": text_column(["6000", "1200", "Travel costs"]),
            "account_name": text_column(["Wages", "Travel advances", None]),
        }
    )
    default = run_comprehensive_expense(frame)
    assert default.summary["total_amount"] == 50.0  # 6000 by code, "Travel costs" by name
    assert default.sections["expense_breakdown"]["identification"]["method"] == "account_code+account_name"
    widened = run_comprehensive_expense(frame, ExpenseOptions(names_override_codes=True))
    assert widened.summary["total_amount"] == 70.0
