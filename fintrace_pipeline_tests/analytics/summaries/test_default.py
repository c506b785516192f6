from __future__ import annotations

import json

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    DefaultAnalyticsOptions,
    run_default_analytics,
)
from fintrace_pipeline.findings import COMPLETED, SKIPPED


def test_totals_and_summary(ledger: pd.DataFrame) -> None:
    result = run_default_analytics(ledger)
    assert result.status == COMPLETED
    assert result.analytics_type == "default_analytics"
    assert result.summary == {"total_transactions": 6, "total_amount": 400.5, "unique_users": 3, "unique_accounts": 3}
    assert result.flags.empty
    assert result.skipped == [
        {"check": "stratification_by_vendor", "reason": "no vendor column"},
        {"check": "aging", "reason": "no document_date column (an invoice or document date)"},
    ]
    totals = result.sections["trial_balance_data"]["totals"]
    assert totals == {
        "rows": 6,
        "total_debit": 400.5,
        "total_credit": 350.0,
        "net": 50.5,
        "absolute_volume": 750.5,
        "unique_users": 3,
        "unique_accounts": 3,
        "unique_vendors": None,
        "first_posting": "2024-01-30T08:00:00",
        "last_posting": "2024-03-01T12:00:00",
    }
    assert result.parameters["balance_tolerance"] == 0.01
    json.dumps(result.sections, allow_nan=False)  # JSON-safe, no NaN


def test_chart_and_export_data(ledger: pd.DataFrame) -> None:
    sections = run_default_analytics(ledger, DefaultAnalyticsOptions(chart_top_n=2)).sections
    charts = sections["chart_data"]
    assert charts["monthly_volume"] == {"labels": ["2024-01", "2024-02", "2024-03"], "values": [200.0, 500.5, 50.0]}
    assert charts["weekday_counts"]["values"] == [0, 2, 1, 1, 1, 1, 0]
    assert charts["top_accounts"] == {"labels": ["1000", "6100"], "values": [300.0, 250.5]}
    assert sum(charts["hourly_counts"]["values"]) == 6
    export = sections["export_data"]
    assert export["trial_balance"]["columns"] == ["account", "account_name", "debit", "credit", "net", "lines"]
    assert export["trial_balance"]["rows"][1] == ["1000", "Cash", 0.0, 300.0, -300.0, 2]
    assert export["unbalanced_entries"]["rows"] == [["J2", 2, 250.5, 200.0, 50.5]]
    assert ["rows", 6] in export["overview"]["rows"]


def test_missing_optional_columns_are_skipped_not_crashed() -> None:
    frame = pd.DataFrame(
        {"row_number": [1, 2], "posting_date": pd.to_datetime(["2024-05-04", "2024-05-06"]), "amount": [10.0, -10.0]}
    )
    result = run_default_analytics(frame)
    assert result.status == COMPLETED
    assert result.summary == {"total_transactions": 2, "total_amount": 10.0}
    assert [s["check"] for s in result.skipped] == [
        "trial_balance_accounts",
        "account_patterns",
        "unbalanced_entries",
        "hourly_activity",
        "user_patterns",
        "stratification_by_account",
        "stratification_by_vendor",
        "aging",
    ]
    assert result.skipped[3]["reason"] == "no time of day in entry_date or posting_date"
    sections = result.sections
    assert sections["user_patterns"] is None and sections["account_patterns"] is None
    assert sections["trial_balance_data"]["accounts"] is None
    assert sections["temporal_patterns"]["by_hour"] is None and sections["chart_data"]["hourly_counts"] is None
    assert sections["trial_balance_data"]["balance_check"]["balanced"] is True
    assert sections["temporal_patterns"]["by_weekday"][5]["lines"] == 1  # 2024-05-04 is a Saturday


def test_empty_frame_is_skipped() -> None:
    frame = pd.DataFrame(
        {
            "row_number": pd.Series(dtype="int64"),
            "posting_date": pd.Series(dtype="datetime64[ns]"),
            "amount": pd.Series(dtype="float64"),
        }
    )
    result = run_default_analytics(frame)
    assert result.status == SKIPPED and result.error_message == "no transactions to analyse"
    assert result.summary["total_transactions"] == 0
