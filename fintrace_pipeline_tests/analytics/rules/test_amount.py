from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline.analytics.rules.scoring import rule_scores
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


def test_just_below_limit_names_a_common_limit_as_such():
    frame = ledger(amount=[2450, 2449.99, 2500, 9850, 24500, 4899.99, 4900, 950])
    below = flags_of(run_anomaly_detection(frame), "JUST_BELOW_LIMIT")
    assert below["row_number"].tolist() == [1, 4, 5, 7]
    assert below["reason"].tolist() == [
        "Amount 2,450.00 is 2.0 % below a common approval limit of 2,500",
        "Amount 9,850.00 is 1.5 % below a common approval limit of 10,000",
        "Amount 24,500.00 is 2.0 % below a common approval limit of 25,000",
        "Amount 4,900.00 is 2.0 % below a common approval limit of 5,000",
    ]
    assert below["details"][1] == {
        "amount": 9850.0,
        "limit": 10000.0,
        "limit_source": "common",
        "below_limit_pct": 1.5,
        "band_pct": 2.0,
    }


def test_a_configured_approval_limit_is_named_as_set_for_the_company_or_the_file():
    frame = ledger(amount=[8900, 9850, 4950])
    for source, whose in (("company", "this company"), ("file", "this file")):
        options = AnomalyDetectionOptions(approval_limits=(9000.0,), approval_limits_source=source)
        below = flags_of(run_anomaly_detection(frame, options), "JUST_BELOW_LIMIT")
        assert below["row_number"].tolist() == [1]  # 9,850 and 4,950 are near no limit of this company
        assert below["reason"][0] == f"Amount 8,900.00 is 1.1 % below the approval limit of 9,000 set for {whose}"
        assert below["details"][0]["limit_source"] == source


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
    # ann: MAD 5 is a spread of 5 / 0.6745 = 7.4, below 10 % of the median: z = 4900 / 10 = 490.0;
    # cat: 9900 / (1.253314 · 500) = 15.8
    assert outliers["reason"].tolist() == [
        "Amount 5,000.00 is 50.0× user ann on account acct-ann's median of 100.00 "
        "(robust z 490.0, 0 of the other 19 lines within a factor of 2 more than 14 days apart)",
        "Amount 10,000.00 is 100.0× user cat on account acct-cat's median of 100.00 "
        "(robust z 15.8, 0 of the other 19 lines within a factor of 2 more than 14 days apart)",
    ]
    assert outliers["details"][0]["robust_z"] == pytest.approx(490.0, abs=0.01)
    accounts = flags_of(result, "ACCOUNT_AMOUNT_OUTLIER")
    assert accounts["row_number"].tolist() == [20, 45]
    assert accounts["reason"][0].startswith("Amount 5,000.00 is 50.0× account acct-ann's median")


def test_user_outliers_log_scale_and_thresholds():
    outliers = flags_of(run_anomaly_detection(_outlier_frame()), "USER_AMOUNT_OUTLIER")
    # ann on logs: MAD ln(100/95) / 0.6745 = 0.076 is below the 0.1 floor: z = ln 50 / 0.1 = 39.1
    assert outliers["row_number"].tolist() == [20, 45]
    assert outliers["reason"][0] == (
        "Amount 5,000.00 is 50.0× user ann on account acct-ann's median of 100.00 "
        "(robust z 39.1, 0 of the other 19 lines within a factor of 2 more than 14 days apart)"
    )
    strict = AnomalyDetectionOptions(outlier_medium_z=60)
    assert flags_of(run_anomaly_detection(_outlier_frame(), strict), "USER_AMOUNT_OUTLIER").empty
    medium = AnomalyDetectionOptions(outlier_high_ratio=1000)
    assert set(flags_of(run_anomaly_detection(_outlier_frame(), medium), "USER_AMOUNT_OUTLIER")["severity"]) == {
        "medium"
    }


def test_an_outlier_stands_apart_from_its_group_so_a_second_mode_is_not_one():
    # Dee books 300 small accruals around 800 and 100 large ones around 12,000 to one liability
    # account: the large ones are 15× the median, but a quarter of the group is that size. One line of
    # 400,000 stands apart from both modes.
    rng = np.random.default_rng(3)
    small = np.round(np.exp(rng.normal(np.log(800), 0.2, 300)), 2)
    large = np.round(np.exp(rng.normal(np.log(12_000), 0.2, 100)), 2)
    amounts = [*small, *large, 400_000.17]
    days = pd.date_range("2024-01-01", periods=len(amounts), freq="D").strftime("%Y-%m-%d").tolist()
    frame = ledger(amount=amounts, posting_date=days, user=["dee"] * len(amounts), account=["2100"] * len(amounts))
    result = run_anomaly_detection(frame)
    outliers = flags_of(result, "USER_AMOUNT_OUTLIER")
    assert outliers["row_number"].tolist() == [len(amounts)]
    assert outliers["details"][0]["lines_within_factor"] == 0
    assert outliers["details"][0]["group_lines"] == 401
    assert outliers["reason"][0].endswith(", 0 of the other 400 lines within a factor of 2 more than 14 days apart)")
    # Without the test of standing apart, the second mode is flagged too.
    crowded = flags_of(
        run_anomaly_detection(frame, AnomalyDetectionOptions(outlier_peer_share=1.0)), "USER_AMOUNT_OUTLIER"
    )
    assert len(crowded) > 50
    assert set(crowded["row_number"]) > {len(amounts)}


def test_a_run_of_outliers_within_a_few_days_is_an_event_and_still_stands_apart():
    # Eve's card: 200 payments around 40 over the year, then 8 of about 900 within one week.
    rng = np.random.default_rng(5)
    usual = list(np.round(np.exp(rng.normal(np.log(40), 0.3, 200)), 2))
    run = list(np.round(np.exp(rng.normal(np.log(900), 0.1, 8)), 2))
    days = pd.date_range("2024-01-01", periods=200, freq="D").strftime("%Y-%m-%d").tolist()
    days += pd.date_range("2024-08-05", periods=8, freq="D").strftime("%Y-%m-%d").tolist()
    frame = ledger(amount=usual + run, posting_date=days, user=["eve"] * 208)
    outliers = flags_of(run_anomaly_detection(frame), "USER_AMOUNT_OUTLIER")
    assert outliers["row_number"].tolist() == list(range(201, 209))
    # Spread over the year instead, eight lines of that size are a habit of the card, not outliers.
    spread = frame.copy()
    spread.loc[200:, "posting_date"] = pd.to_datetime([f"2024-{m:02d}-10" for m in range(2, 10)])
    assert flags_of(run_anomaly_detection(spread), "USER_AMOUNT_OUTLIER").empty


def test_outliers_on_a_near_constant_group_are_rated_by_the_size_of_the_deviation():
    # Account 6100 books the same rent to the cent; account 6200's amounts spread over a decade.
    rent = [999.99, 1000.00, 1000.01] * 10 + [1300.17, 1600.23, 5003.21, 240_012.34]
    spread = list(np.round(np.exp(np.linspace(np.log(100), np.log(1000), 40)), 2)) + [2_003.17, 75_012.34]
    accounts = ["6100"] * len(rent) + ["6200"] * len(spread)
    result = run_anomaly_detection(ledger(amount=rent + spread, account=accounts))
    outliers = flags_of(result, "ACCOUNT_AMOUNT_OUTLIER")
    # The rent's spread (a cent) is floored at 0.1 on the log scale: 1.3× is z 2.6, not flagged; 1.6×
    # is z 4.7 but under 2× the median, not flagged; 5× is medium, 240× high, like 223× on 6200.
    assert outliers["row_number"].tolist() == [33, 34, 76]
    assert [d["ratio_to_median"] for d in outliers["details"]] == pytest.approx([5.003, 240.012, 223.514], abs=0.001)
    assert [d["robust_z"] for d in outliers["details"]][:2] == pytest.approx(
        [np.log(5.00321) / 0.1, np.log(240.01234) / 0.1], abs=0.01
    )
    assert outliers["severity"].tolist() == ["medium", "high", "high"]
    scores = rule_scores(result.flags)
    assert scores[33] < scores[34] == scores[76]
    assert 31 not in scores.index and 32 not in scores.index


def test_findings_below_materiality_are_one_level_lower_and_say_so():
    frame = ledger(
        amount=[400.0, 20_000.0, 5_000.0],
        user=["amy", "amy", "amy"],
        approver=["amy", "amy", "amy"],
    )
    plain = run_anomaly_detection(frame)
    material = run_anomaly_detection(frame, AnomalyDetectionOptions(materiality=10_000))
    approved = flags_of(material, "SELF_APPROVED")
    assert flags_of(plain, "SELF_APPROVED")["severity"].tolist() == ["high", "high", "high"]
    assert approved["severity"].tolist() == ["medium", "high", "medium"]
    assert approved["details"][0] == {
        "user": "amy",
        "approver": "amy",
        "severity_before_materiality": "high",
        "below_materiality": 10_000,
    }
    assert "below_materiality" not in approved["details"][1]
    rounded = flags_of(material, "ROUND_AMOUNT")  # 5,000 is low already: it stays low, undemoted
    assert rounded["severity"].tolist() == ["medium", "low"]
    assert "below_materiality" not in rounded["details"][1]
    assert material.summary["high_risk_transactions"] < plain.summary["high_risk_transactions"]


def test_amounts_just_below_a_common_limit_are_low_unless_they_pile_up_there():
    # 600 amounts spread evenly from 9,000 to 10,600 around the common limit of 10,000 ...
    spread = list(np.round(np.linspace(9_000.13, 10_600.13, 600), 2))
    at_chance = run_anomaly_detection(ledger(amount=spread))
    below = flags_of(at_chance, "JUST_BELOW_LIMIT")
    assert set(below["severity"]) == {"low"}
    assert below["reason"][0] == (
        f"Amount {below['details'][0]['amount']:,.2f} is {below['details'][0]['below_limit_pct']:.1f} % below a "
        "common approval limit of 10,000; no more of the file's amounts fall just below it than chance predicts "
        "(75 found, 75 expected)"
    )
    pile_up = at_chance.sections["risk_assessment"]["checks"]["JUST_BELOW_LIMIT"]["pile_ups"][2]
    assert pile_up == {"limit": 10_000.0, "just_below": 75, "expected": 75.0, "z": 0.0, "beats_chance": False}
    # ... and with 60 more just below it: a pile-up, so staying below the limit means something.
    piled = run_anomaly_detection(ledger(amount=spread + [9_876.54] * 60))
    assert set(flags_of(piled, "JUST_BELOW_LIMIT")["severity"]) == {"medium"}
    # A limit the company set is its own: medium without any pile-up.
    configured = AnomalyDetectionOptions(approval_limits=(10_000.0,), approval_limits_source="company")
    assert set(flags_of(run_anomaly_detection(ledger(amount=spread), configured), "JUST_BELOW_LIMIT")["severity"]) == {
        "medium"
    }
