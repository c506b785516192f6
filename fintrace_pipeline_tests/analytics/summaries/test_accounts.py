from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    DefaultAnalyticsOptions,
    run_default_analytics,
)


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
