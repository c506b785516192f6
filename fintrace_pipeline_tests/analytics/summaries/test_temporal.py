from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.summaries import (
    run_default_analytics,
)


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
