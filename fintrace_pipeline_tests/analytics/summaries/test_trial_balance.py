from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    DefaultAnalyticsOptions,
    run_default_analytics,
)
from fintrace_pipeline_tests.analytics.summaries.frames import text_column


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
            "je_number": text_column(["A", "A", "B", "B", "C", "C", "D"]),
        }
    )
    entries = run_default_analytics(frame, DefaultAnalyticsOptions(top_n=2)).sections["trial_balance_data"][
        "unbalanced_entries"
    ]
    assert entries["unbalanced_count"] == 3
    assert entries["unbalanced_total_difference"] == -13.0
    assert entries["unbalanced_total_abs_difference"] == 27.0
    assert [(e["je_number"], e["difference"]) for e in entries["entries"]] == [("B", -20.0), ("D", 4.0)]
