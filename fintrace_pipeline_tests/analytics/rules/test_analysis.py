import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline.analytics.rules.scoring import rule_scores
from fintrace_pipeline.analytics.rules.time import us_federal_holidays
from fintrace_pipeline.findings import COMPLETED, FLAG_COLUMNS, SKIPPED

ORDINARY_DATE = "2024-03-13"  # a Wednesday, no holiday
ORDINARY_AMOUNT = 123.45  # not round, not near a limit


def ledger(n: int | None = None, **columns) -> pd.DataFrame:
    """A canonical frame; unspecified required columns get ordinary values."""
    n = n or len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {
            "row_number": np.arange(1, n + 1, dtype="int64"),
            "posting_date": pd.to_datetime(columns.pop("posting_date", [ORDINARY_DATE] * n)),
            "amount": np.asarray(columns.pop("amount", [ORDINARY_AMOUNT] * n), dtype="float64"),
        }
    )
    for name, values in columns.items():
        if name == "entry_date":
            frame[name] = pd.to_datetime(values)
        else:
            frame[name] = pd.array(values, dtype="string")
    return frame


def flags_of(result, code: str) -> pd.DataFrame:
    return result.flags[result.flags["rule_code"] == code].reset_index(drop=True)


def skipped_checks(result) -> dict[str, str]:
    return {s["check"]: s["reason"] for s in result.skipped}


# --- time rules -----------------------------------------------------------------------------------


def test_weekend_postings():
    result = run_anomaly_detection(ledger(posting_date=["2024-03-15", "2024-03-16", "2024-03-17", "2024-03-18"]))
    weekend = flags_of(result, "WEEKEND_POSTING")
    assert weekend["row_number"].tolist() == [2, 3]
    assert weekend["reason"].tolist() == ["Posted on a Saturday (2024-03-16)", "Posted on a Sunday (2024-03-17)"]
    assert weekend["severity"].tolist() == ["low", "low"]
    assert weekend["details"][0] == {"posting_date": "2024-03-16", "weekday": "Saturday"}


def test_us_federal_holidays_fixed_and_rule_based():
    holidays = us_federal_holidays([2024])
    assert len(holidays) == 11  # no fixed-date holiday of 2024 falls on a weekend
    assert holidays[date(2024, 1, 15)] == "Martin Luther King Jr. Day"
    assert holidays[date(2024, 2, 19)] == "Washington's Birthday"
    assert holidays[date(2024, 5, 27)] == "Memorial Day"
    assert holidays[date(2024, 6, 19)] == "Juneteenth National Independence Day"
    assert holidays[date(2024, 9, 2)] == "Labor Day"
    assert holidays[date(2024, 10, 14)] == "Columbus Day"
    assert holidays[date(2024, 11, 28)] == "Thanksgiving Day"
    observed = us_federal_holidays([2022])
    assert observed[date(2021, 12, 31)] == "New Year's Day (observed)"  # Jan 1 2022 was a Saturday
    assert observed[date(2022, 12, 26)] == "Christmas Day (observed)"  # Dec 25 2022 was a Sunday
    assert date(2020, 6, 19) not in us_federal_holidays([2020])  # Juneteenth from 2021 on


def test_holiday_postings_default_and_custom_calendar():
    frame = ledger(posting_date=["2024-07-04", "2026-07-03", "2024-11-28", ORDINARY_DATE])
    holiday = flags_of(run_anomaly_detection(frame), "HOLIDAY_POSTING")
    assert holiday["row_number"].tolist() == [1, 2, 3]
    assert holiday["reason"].tolist() == [
        "Posted on Independence Day (2024-07-04)",
        "Posted on Independence Day (observed) (2026-07-03)",
        "Posted on Thanksgiving Day (2024-11-28)",
    ]
    custom = AnomalyDetectionOptions(holiday_calendar=(("2024-03-13", "Company day"),))
    holiday = flags_of(run_anomaly_detection(frame, custom), "HOLIDAY_POSTING")
    assert holiday["row_number"].tolist() == [4]
    assert holiday["reason"][0] == "Posted on Company day (2024-03-13)"


def test_after_hours_uses_entry_times():
    entry = ["2024-03-13 06:59", "2024-03-13 07:00", "2024-03-13 19:59", "2024-03-13 20:00", "2024-03-13 00:00", None]
    result = run_anomaly_detection(ledger(entry_date=entry))
    after = flags_of(result, "AFTER_HOURS")
    assert after["row_number"].tolist() == [1, 4]
    assert after["reason"][0] == "Keyed in at 06:59 on 2024-03-13, outside business hours 07:00–20:00"
    assert after["details"][1]["time"] == "20:00:00"
    assert after["details"][1]["source_column"] == "entry_date"


def test_after_hours_falls_back_to_posting_times_then_skips():
    with_times = ledger(posting_date=["2024-03-13 23:30", "2024-03-13 10:00"])
    after = flags_of(run_anomaly_detection(with_times), "AFTER_HOURS")
    assert after["row_number"].tolist() == [1]
    assert after["details"][0]["source_column"] == "posting_date"
    dates_only = run_anomaly_detection(ledger(entry_date=["2024-03-14", "2024-03-15"]))
    assert skipped_checks(dates_only)["AFTER_HOURS"] == "no time of day in entry_date or posting_date"
    assert flags_of(dates_only, "AFTER_HOURS").empty


def test_backdated_entries():
    frame = ledger(posting_date=["2024-01-10"] * 3, entry_date=["2024-02-09", "2024-02-10", "2024-07-28"])
    backdated = flags_of(run_anomaly_detection(frame), "BACKDATED_ENTRY")
    assert backdated["row_number"].tolist() == [2, 3]  # 30 days is within the limit
    assert backdated["severity"].tolist() == ["medium", "high"]  # 200 days > 180
    assert backdated["reason"][0] == "Entered 2024-02-10, 31 days after its posting date 2024-01-10 (limit 30)"
    assert backdated["details"][1]["lag_days"] == 200


# --- amount rules ---------------------------------------------------------------------------------


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


# --- entity rules ---------------------------------------------------------------------------------


def test_seldom_used_accounts():
    accounts = ["A"] * 12 + ["B"] * 12 + ["C"] * 2 + ["D"] * 12
    seldom = flags_of(run_anomaly_detection(ledger(account=accounts)), "SELDOM_USED_ACCOUNT")
    assert seldom["row_number"].tolist() == [25, 26]
    assert seldom["reason"][0] == "Account C has only 2 lines in this file (accounts typically have 12)"
    sparse = run_anomaly_detection(ledger(account=["A", "A", "B", "C"]))
    assert flags_of(sparse, "SELDOM_USED_ACCOUNT").empty
    assert skipped_checks(sparse)["SELDOM_USED_ACCOUNT"] == (
        "accounts typically have 1 line (needs ≥ 10 to judge 'seldom')"
    )


def test_unusual_user_account_pairs():
    users = ["u"] * 250 + ["v"] * 100
    accounts = ["1000"] * 249 + ["9999"] + ["1000"] * 99 + ["8888"]
    unusual = flags_of(run_anomaly_detection(ledger(user=users, account=accounts)), "UNUSUAL_USER_ACCOUNT")
    assert unusual["row_number"].tolist() == [250]  # v's single line is 1 % of v's lines: not rare enough
    assert unusual["reason"][0] == "User u posted 1 of 250 lines (0.40 %) to account 9999"
    assert unusual["details"][0]["share_pct"] == 0.4


def test_missing_description():
    frame = ledger(description=["Rent", "", "   ", None])
    missing = flags_of(run_anomaly_detection(frame), "MISSING_DESCRIPTION")
    assert missing["row_number"].tolist() == [2, 3, 4]
    assert set(missing["reason"]) == {"Description is empty"}


def test_self_approved_ignores_case_and_spaces():
    frame = ledger(user=["J Doe", "amy", "kim", None], approver=["jdoe ", "bob", None, "kim"])
    approved = flags_of(run_anomaly_detection(frame), "SELF_APPROVED")
    assert approved["row_number"].tolist() == [1]
    assert approved["severity"].tolist() == ["high"]
    assert approved["reason"][0] == "Posted by J Doe and approved by jdoe: the same person"


# --- journal rules --------------------------------------------------------------------------------


def test_unbalanced_entries():
    frame = ledger(
        amount=[100, -100, 500, -400, 0.1, 0.2, -0.3], je_number=["JE1", "JE1", "JE2", "JE2", "JE3", "JE3", "JE3"]
    )
    unbalanced = flags_of(run_anomaly_detection(frame), "UNBALANCED_ENTRY")
    assert unbalanced["row_number"].tolist() == [3, 4]
    assert unbalanced["severity"].tolist() == ["high", "high"]
    assert unbalanced["group_id"].tolist() == ["je:JE2", "je:JE2"]
    assert unbalanced["reason"][0] == "Journal entry JE2 (2 lines) has debits 500.00 and credits 400.00: off by 100.00"
    single = run_anomaly_detection(ledger(amount=[100, -50, 20], je_number=["1", "2", "3"]))
    assert skipped_checks(single)["UNBALANCED_ENTRY"] == "journal entries mostly have a single line"


def test_je_number_reused_on_other_dates():
    frame = ledger(posting_date=["2024-03-01", "2024-03-05", "2024-03-05"], je_number=["JE-1", "JE-1", "JE-2"])
    reused = flags_of(run_anomaly_detection(frame), "JE_NUMBER_DUPLICATE")
    assert reused["row_number"].tolist() == [1, 2]
    assert reused["reason"][0] == (
        "Journal entry number JE-1 is used on 2 different posting dates (2024-03-01 to 2024-03-05)"
    )
    assert reused["group_id"].tolist() == ["je:JE-1", "je:JE-1"]


def test_je_number_gaps():
    numbers = ["JE-0001", "JE-0002", "JE-0003", "JE-0007", "JE-0007", "JE-0008", "JE-0010"]
    result = run_anomaly_detection(ledger(je_number=numbers))
    gaps = flags_of(result, "JE_NUMBER_GAP")
    assert gaps["row_number"].tolist() == [4, 5, 7]
    assert gaps["reason"].tolist() == [
        "Journal entry JE-0007 follows JE-0003: 3 numbers missing (4–6)",
        "Journal entry JE-0007 follows JE-0003: 3 numbers missing (4–6)",
        "Journal entry JE-0010 follows JE-0008: 1 number missing (9)",
    ]
    report = result.sections["risk_assessment"]["je_number_gaps"]
    assert report["gaps"] == 2 and report["missing_numbers"] == 4
    assert report["list"][0] == {
        "before": "JE-0003",
        "after": "JE-0007",
        "first_missing": 4,
        "last_missing": 6,
        "missing": 3,
    }
    random_ids = run_anomaly_detection(ledger(je_number=["A1", "A77", "A900", "A5000"]))
    assert flags_of(random_ids, "JE_NUMBER_GAP").empty
    assert "JE_NUMBER_GAP" in skipped_checks(random_ids)


# --- Benford ---------------------------------------------------------------------------------------


def test_benford_flags_nonconforming_vendor_only():
    conforming = list(np.round(10 ** (1 + (np.arange(1000) + 0.5) / 1000 * 3), 2))
    amounts = [4750.0] * 320 + conforming
    vendors = ["Acme"] * 320 + ["Good"] * 1000
    result = run_anomaly_detection(ledger(amount=amounts, vendor=vendors))
    benford = flags_of(result, "BENFORD_DIGIT")
    assert benford["row_number"].tolist() == list(range(1, 201))  # capped at 200 per group
    assert benford["reason"][0].startswith(
        "Amount starts with 47, which makes up 100.0 % of vendor Acme's 320 amounts vs 0.9 % expected"
    )
    report = result.sections["risk_assessment"]["benford"]
    assert report["by_vendor"]["groups_tested"] == 2
    assert report["by_vendor"]["nonconforming_groups"] == 1
    assert report["by_vendor"]["top_nonconforming"][0]["vendor"] == "Acme"
    assert report["by_vendor"]["top_nonconforming"][0]["over_represented"] == [47]
    assert report["first_digit"]["n"] == 1320
    assert len(result.sections["chart_data"]["benford_first_digit"]) == 9
    assert "benford_by_user" in skipped_checks(result)


def test_benford_file_test_needs_enough_rows():
    result = run_anomaly_detection(ledger(amount=[1234.5] * 100))
    assert skipped_checks(result)["benford_file"] == "only 100 amounts ≥ 10 (needs 500)"
    assert "first_digit" not in result.sections["risk_assessment"]["benford"]


# --- the stage as a whole ---------------------------------------------------------------------------


def test_rule_scores_sum_severity_weights():
    flags = pd.DataFrame(
        {
            "row_number": [1, 1, 2],
            "rule_code": ["SELF_APPROVED", "WEEKEND_POSTING", "X"],
            "severity": ["high", "low", "medium"],
            "reason": ["", "", ""],
            "details": [{}, {}, {}],
            "group_id": [None, None, None],
        }
    )
    scores = rule_scores(flags)
    assert scores.to_dict() == {1: 4.0, 2: 2.0}
    assert scores.index.name == "row_number"
    assert rule_scores(flags.iloc[0:0]).empty


def test_summary_scores_and_sections():
    frame = ledger(
        posting_date=["2024-03-16", ORDINARY_DATE, ORDINARY_DATE, ORDINARY_DATE],
        amount=[5000, -2000, 123.45, 9900],
        user=["amy", "amy", "bob", "bob"],
        approver=["amy", "kim", "kim", "kim"],
        account=["1000", "1000", "2000", "2000"],
    )
    result = run_anomaly_detection(frame)
    assert result.status == COMPLETED
    assert list(result.flags.columns) == list(FLAG_COLUMNS)
    # row 1: weekend (1) + round (1) + self-approved (3) = 5; row 2: round (1); row 4: below limit (2)
    assert rule_scores(result.flags).to_dict() == {1: 5.0, 2: 1.0, 4: 2.0}
    assert result.summary == {
        "total_transactions": 4,
        "total_amount": 15023.45,
        "flagged_transactions": 3,
        "high_risk_transactions": 1,
        "anomalies_found": 5,
        "unique_users": 2,
        "unique_accounts": 2,
    }
    risk = result.sections["risk_assessment"]
    assert risk["rule_counts"]["ROUND_AMOUNT"] == 2 and risk["rule_counts"]["HOLIDAY_POSTING"] == 0
    assert risk["top_transactions"][0]["row_number"] == 1
    assert risk["top_transactions"][0]["rules"][0] == "SELF_APPROVED"  # strongest first
    assert risk["thresholds"]["round_base"] == 1000.0 == result.parameters["round_base"]
    assert result.sections["user_patterns"]["top_flagged_users"][0]["user"] == "amy"
    json.dumps(result.sections, allow_nan=False)


def test_missing_optional_columns_are_skipped_with_reasons():
    result = run_anomaly_detection(ledger(amount=[100.0, 200.0]))
    skipped = skipped_checks(result)
    assert result.status == COMPLETED
    assert skipped["USER_AMOUNT_OUTLIER"] == "no user column"
    assert skipped["UNUSUAL_USER_ACCOUNT"] == "no user or account column"
    assert skipped["SELF_APPROVED"] == "no user or approver column"
    assert skipped["UNBALANCED_ENTRY"] == "no je_number column"
    assert skipped["MISSING_DESCRIPTION"] == "no description column"
    assert skipped["BACKDATED_ENTRY"] == "no entry_date column"
    assert "unique_users" not in result.summary
    assert result.sections["risk_assessment"]["skipped"] == result.skipped


def test_missing_required_column_skips_the_stage():
    result = run_anomaly_detection(pd.DataFrame({"row_number": [1], "amount": [1.0]}))
    assert result.status == SKIPPED
    assert result.error_message == "missing required column(s): posting_date"


def test_empty_frame():
    frame = ledger(0, posting_date=[], amount=[], user=[], account=[], je_number=[], description=[])
    result = run_anomaly_detection(frame)
    assert result.status == COMPLETED
    assert result.flags.empty and list(result.flags.columns) == list(FLAG_COLUMNS)
    assert result.summary["total_transactions"] == 0 and result.summary["total_amount"] == 0.0
    assert result.summary["flagged_transactions"] == 0 and result.summary["anomalies_found"] == 0
    json.dumps(result.sections, allow_nan=False)
