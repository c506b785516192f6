from __future__ import annotations

import pandas as pd
import pytest

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline_tests.analytics.flagged import flags_of
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def test_round_amounts():
    frame = ledger(amount=[1000, 20000, 500, 1000.5, -3000, 1500])
    rounded = flags_of(run_anomaly_detection(frame), "ROUND_AMOUNT")
    assert rounded["row_number"].tolist() == [1, 2, 5]
    assert rounded["severity"].tolist() == ["low", "medium", "low"]
    assert rounded["reason"].tolist() == [
        "Amount 1,000.00 is an exact multiple of 1,000",
        "Amount 20,000.00 is an exact multiple of 10,000",
        "Amount 3,000.00 is an exact multiple of 1,000",
    ]


def test_just_below_limit():
    frame = ledger(amount=[2450, 2449.99, 2500, 9850, 24500, 4899.99, 4900, 950])
    below = flags_of(run_anomaly_detection(frame), "JUST_BELOW_LIMIT")
    assert below["row_number"].tolist() == [1, 4, 5, 7]
    assert below["reason"].tolist() == [
        "Amount 2,450.00 is 2.0 % below the approval limit of 2,500.00",
        "Amount 9,850.00 is 1.5 % below the approval limit of 10,000.00",
        "Amount 24,500.00 is 2.0 % below the approval limit of 25,000.00",
        "Amount 4,900.00 is 2.0 % below the approval limit of 5,000.00",
    ]
    assert below["details"][1] == {"amount": 9850.0, "limit": 10000.0, "below_limit_pct": 1.5, "band_pct": 2.0}


def _outlier_frame() -> pd.DataFrame:
    ann = [90, 95, 100, 105, 110] * 3 + [90, 95, 100, 105, 5000]  # median 100, MAD 5
    bob = [100, 100, 100, 100, 90_000]  # too few lines to judge
    cat = [100] * 18 + [200, 10_000]  # MAD 0: mean absolute deviation (500) stands in
    users = ["ann"] * 20 + ["bob"] * 5 + ["cat"] * 20
    return ledger(amount=ann + bob + cat, user=users, account=[f"acct-{u}" for u in users])


def test_user_outliers_linear_scale_hand_computed():
    options = AnomalyDetectionOptions(outlier_log_scale=False)
    result = run_anomaly_detection(_outlier_frame(), options)
    outliers = flags_of(result, "USER_AMOUNT_OUTLIER")
    assert outliers["row_number"].tolist() == [20, 45]
    assert outliers["severity"].tolist() == ["high", "high"]
    # ann: 0.6745 · 4900 / 5 = 661.0; cat: 9900 / (1.253314 · 500) = 15.8
    assert outliers["reason"].tolist() == [
        "Amount 5,000.00 is 50.0× user ann on account acct-ann's median of 100.00 (robust z 661.0)",
        "Amount 10,000.00 is 100.0× user cat on account acct-cat's median of 100.00 (robust z 15.8)",
    ]
    assert outliers["details"][0]["robust_z"] == pytest.approx(661.01, abs=0.01)
    accounts = flags_of(result, "ACCOUNT_AMOUNT_OUTLIER")
    assert accounts["row_number"].tolist() == [20, 45]
    assert accounts["reason"][0].startswith("Amount 5,000.00 is 50.0× account acct-ann's median")


def test_user_outliers_log_scale_and_thresholds():
    outliers = flags_of(run_anomaly_detection(_outlier_frame()), "USER_AMOUNT_OUTLIER")
    # ann on logs: median ln 100, MAD ln(100/95); z = 0.6745 · ln 50 / ln(100/95) = 51.4
    assert outliers["row_number"].tolist() == [20, 45]
    assert outliers["reason"][0] == (
        "Amount 5,000.00 is 50.0× user ann on account acct-ann's median of 100.00 (robust z 51.4)"
    )
    strict = AnomalyDetectionOptions(outlier_medium_z=60, outlier_high_z=100)
    assert flags_of(run_anomaly_detection(_outlier_frame(), strict), "USER_AMOUNT_OUTLIER").empty
    medium = AnomalyDetectionOptions(outlier_high_z=1000)
    assert set(flags_of(run_anomaly_detection(_outlier_frame(), medium), "USER_AMOUNT_OUTLIER")["severity"]) == {
        "medium"
    }
