from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    run_default_analytics,
)


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
