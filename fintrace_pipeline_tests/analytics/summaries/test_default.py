from __future__ import annotations

import json

import pandas as pd
import pytest

from fintrace_pipeline.analytics.summaries import DefaultAnalyticsOptions, run_default_analytics
from fintrace_pipeline.findings import COMPLETED, SKIPPED


def _text(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")


@pytest.fixture
def ledger() -> pd.DataFrame:
    # J1 balances (100 / 100), J2 is off by 50.50, J3 balances. 2024-02-03 is a Saturday; 21:30 and
    # 23:00 are after hours; Jan 30, Feb 28 (2024 is a leap year: 29 days) fall in the last 3 days.
    return pd.DataFrame(
        {
            "row_number": [1, 2, 3, 4, 5, 6],
            "posting_date": pd.to_datetime(
                [
                    "2024-01-30 08:00",
                    "2024-01-30 21:30",
                    "2024-02-03 10:00",
                    "2024-02-15 09:00",
                    "2024-02-28 23:00",
                    "2024-03-01 12:00",
                ]
            ),
            "amount": [100.0, -100.0, 250.5, -200.0, 50.0, -50.0],
            "je_number": _text(["J1", "J1", "J2", "J2", "J3", "J3"]),
            "account": _text(["5000", "1000", "6100", "1000", None, "5000"]),
            "account_name": _text(["Travel expense", "Cash", "Rent", None, None, "Travel expense"]),
            "user": _text(["ann", "ann", "bob", "bob", "carl", None]),
        }
    )


def test_totals_and_summary(ledger: pd.DataFrame) -> None:
    result = run_default_analytics(ledger)
    assert result.status == COMPLETED
    assert result.analytics_type == "default_analytics"
    assert result.summary == {"total_transactions": 6, "total_amount": 400.5, "unique_users": 3, "unique_accounts": 3}
    assert result.flags.empty
    assert result.skipped == []
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


def test_trial_balance_accounts_and_balance_check(ledger: pd.DataFrame) -> None:
    trial_balance = run_default_analytics(ledger).sections["trial_balance_data"]
    assert trial_balance["balance_check"] == {
        "total_debit": 400.5,
        "total_credit": 350.0,
        "difference": 50.5,
        "tolerance": 0.01,
        "balanced": False,
    }
    accounts = trial_balance["accounts"]
    assert [a["account"] for a in accounts["items"]] == ["(blank)", "1000", "5000", "6100"]
    assert accounts["items"][1] == {
        "account": "1000",
        "account_name": "Cash",
        "debit": 0.0,
        "credit": 300.0,
        "net": -300.0,
        "lines": 2,
    }
    assert accounts["items"][2] == {
        "account": "5000",
        "account_name": "Travel expense",
        "debit": 100.0,
        "credit": 50.0,
        "net": 50.0,
        "lines": 2,
    }
    assert accounts["truncated"] is False


def test_balance_check_ignores_float_noise() -> None:
    frame = pd.DataFrame(
        {"row_number": [1, 2, 3], "posting_date": pd.to_datetime(["2024-05-02"] * 3), "amount": [0.1, 0.2, -0.3]}
    )
    check = run_default_analytics(frame).sections["trial_balance_data"]["balance_check"]
    assert check["balanced"] is True and check["difference"] == 0.0


def test_trial_balance_bounded_to_largest_accounts(ledger: pd.DataFrame) -> None:
    options = DefaultAnalyticsOptions(max_trial_balance_accounts=2)
    accounts = run_default_analytics(ledger, options).sections["trial_balance_data"]["accounts"]
    # Largest by volume: 1000 (300) and 6100 (250.5), listed in account order.
    assert [a["account"] for a in accounts["items"]] == ["1000", "6100"]
    assert accounts["total_groups"] == 4 and accounts["truncated"] is True
    assert accounts["other"] == {"groups": 2, "debit": 150.0, "credit": 50.0, "net": 100.0, "lines": 3}


def test_unbalanced_entries_listed_with_count_and_total(ledger: pd.DataFrame) -> None:
    entries = run_default_analytics(ledger).sections["trial_balance_data"]["unbalanced_entries"]
    assert entries["entries_checked"] == 3 and entries["unbalanced_count"] == 1
    assert entries["entries"] == [{"je_number": "J2", "lines": 2, "debit": 250.5, "credit": 200.0, "difference": 50.5}]


def test_unbalanced_entries_top_n_by_absolute_difference() -> None:
    frame = pd.DataFrame(
        {
            "row_number": range(1, 8),
            "posting_date": pd.to_datetime(["2024-05-02"] * 7),
            "amount": [10.0, -7.0, 5.0, -25.0, 1.0, -0.995, 4.0],  # A +3, B -20, C within a cent, D +4
            "je_number": _text(["A", "A", "B", "B", "C", "C", "D"]),
        }
    )
    entries = run_default_analytics(frame, DefaultAnalyticsOptions(top_n=2)).sections["trial_balance_data"][
        "unbalanced_entries"
    ]
    assert entries["unbalanced_count"] == 3
    assert entries["unbalanced_total_difference"] == -13.0
    assert entries["unbalanced_total_abs_difference"] == 27.0
    assert [(e["je_number"], e["difference"]) for e in entries["entries"]] == [("B", -20.0), ("D", 4.0)]


def test_user_patterns(ledger: pd.DataFrame) -> None:
    users = run_default_analytics(ledger).sections["user_patterns"]
    assert users["time_source"] == "posting_date" and users["users_total"] == 4
    assert users["overall_weekend_share"] == round(1 / 6, 4)
    assert users["overall_after_hours_share"] == round(2 / 6, 4)
    items = {u["user"]: u for u in users["top_users"]["items"]}
    assert [u["user"] for u in users["top_users"]["items"]][:2] == ["bob", "ann"]
    assert items["bob"] == {
        "user": "bob",
        "lines": 2,
        "volume": 450.5,
        "mean_amount": 225.25,
        "median_amount": 225.25,
        "accounts_touched": 2,
        "weekend_share": 0.5,
        "after_hours_share": 0.0,
        "first_posting": "2024-02-03T10:00:00",
        "last_posting": "2024-02-15T09:00:00",
    }
    assert items["ann"]["after_hours_share"] == 0.5 and items["ann"]["weekend_share"] == 0.0


def test_after_hours_uses_entry_date_time_when_present(ledger: pd.DataFrame) -> None:
    # Postings at business hours on paper, but keyed in at night; row 6 has no entry time.
    frame = ledger.assign(
        entry_date=pd.to_datetime(
            ["2024-01-30 22:00", "2024-01-30 10:00", "2024-02-03 03:00", "2024-02-15 11:00", "2024-02-28 12:00", None]
        )
    )
    result = run_default_analytics(frame)
    users = result.sections["user_patterns"]
    assert users["time_source"] == "entry_date" and users["lines_with_time"] == 5
    assert users["overall_after_hours_share"] == 0.4
    items = {u["user"]: u for u in users["top_users"]["items"]}
    assert items["bob"]["after_hours_share"] == 0.5
    assert items["carl"]["after_hours_share"] == 0.0
    assert items["(blank)"]["after_hours_share"] is None
    hours = result.sections["temporal_patterns"]["by_hour"]
    assert [h["hour"] for h in hours if h["lines"]] == [3, 10, 11, 12, 22]


def test_account_patterns_seldom_used(ledger: pd.DataFrame) -> None:
    accounts = run_default_analytics(ledger, DefaultAnalyticsOptions(seldom_used_max_lines=1)).sections[
        "account_patterns"
    ]
    assert accounts["accounts_total"] == 4
    seldom = accounts["seldom_used"]
    assert seldom["count"] == 2 and seldom["lines"] == 2 and seldom["volume"] == 300.5
    assert [a["account"] for a in seldom["items"]] == ["6100", "(blank)"]
    top = {a["account"]: a for a in accounts["top_accounts"]["items"]}
    assert top["5000"]["active_days"] == 2 and top["5000"]["active_months"] == 2
    assert top["5000"]["last_posting"] == "2024-03-01T12:00:00"


def test_temporal_patterns(ledger: pd.DataFrame) -> None:
    temporal = run_default_analytics(ledger).sections["temporal_patterns"]
    assert temporal["date_range"]["days_spanned"] == 32 and temporal["date_range"]["months_spanned"] == 3
    assert temporal["by_month"][1] == {
        "month": "2024-02",
        "lines": 3,
        "debit": 300.5,
        "credit": 200.0,
        "net": 100.5,
        "volume": 500.5,
    }
    assert [d["lines"] for d in temporal["by_weekday"]] == [0, 2, 1, 1, 1, 1, 0]
    period_end = temporal["period_end"]
    # Rows 1, 2 and 5 fall in the last 3 days; 5 of the 32 calendar days do (Jan 30-31, Feb 27-29).
    assert period_end["lines"] == 3 and period_end["volume"] == 250.0
    assert period_end["lines_share"] == 0.5 and period_end["expected_share"] == round(5 / 32, 4)
    assert period_end["volume_share"] == round(250 / 750.5, 4)


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
