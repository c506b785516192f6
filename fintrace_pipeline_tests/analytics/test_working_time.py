"""One working time for every stage: the same business hours and weekday names in the anomaly rules
and in the summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline.analytics.summaries import DefaultAnalyticsOptions, run_default_analytics
from fintrace_pipeline.analytics.working_time import WEEKDAY_NAMES, WorkingTime, time_of_day_source
from fintrace_pipeline_tests.analytics.flagged import flags_of
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def _keyed_in_at(*stamps: str) -> pd.DataFrame:
    users = [f"user{i}" for i in range(len(stamps))]
    return ledger(posting_date=["2024-03-13"] * len(stamps), entry_date=list(stamps), user=users)


def _after_hours_share(frame: pd.DataFrame, options: DefaultAnalyticsOptions | None = None) -> dict[str, float]:
    users = run_default_analytics(frame, options).sections["user_patterns"]["top_users"]["items"]
    return {u["user"]: u["after_hours_share"] for u in users}


def test_a_1930_posting_is_treated_the_same_by_the_after_hours_rule_and_the_user_patterns():
    frame = _keyed_in_at("2024-03-13 19:30", "2024-03-13 20:30", "2024-03-13 06:45", "2024-03-13 10:00")
    flagged = flags_of(run_anomaly_detection(frame), "AFTER_HOURS")["row_number"].tolist()
    shares = _after_hours_share(frame)
    assert flagged == [2, 3]
    assert shares == {"user0": 0.0, "user1": 1.0, "user2": 1.0, "user3": 0.0}
    assert [i + 1 for i in range(4) if shares[f"user{i}"] == 1.0] == flagged


def test_both_stages_store_the_same_business_hours():
    frame = _keyed_in_at("2024-03-13 19:30")
    anomalies, summary = run_anomaly_detection(frame), run_default_analytics(frame)
    hours = {k: WorkingTime().parameters()[k] for k in ("business_hours_start", "business_hours_end")}
    assert hours == {"business_hours_start": "07:00", "business_hours_end": "20:00"}
    for parameters in (anomalies.parameters, summary.parameters):
        assert {k: parameters[k] for k in hours} == hours
    assert summary.sections["user_patterns"]["business_hours"] == {"start": "07:00", "end": "20:00"}
    assert flags_of(anomalies, "AFTER_HOURS").empty


def test_moved_business_hours_move_both_stages_alike():
    frame = _keyed_in_at("2024-03-13 19:30", "2024-03-13 08:30")
    earlier = {"business_hours_start": "09:00", "business_hours_end": "19:00"}
    flagged = flags_of(run_anomaly_detection(frame, AnomalyDetectionOptions(**earlier)), "AFTER_HOURS")
    assert flagged["row_number"].tolist() == [1, 2]
    assert flagged["details"][0]["business_hours"] == "09:00–19:00"
    assert _after_hours_share(frame, DefaultAnalyticsOptions(**earlier)) == {"user0": 1.0, "user1": 1.0}


def test_a_bare_date_carries_no_time_of_day():
    stamps = pd.Series(pd.to_datetime(["2024-03-13 00:00:00", None, "2024-03-13 06:59:59", "2024-03-13 20:00:00"]))
    outside = WorkingTime().outside_business_hours(stamps)
    assert np.isnan(outside[:2]).all() and outside[2:].tolist() == [1.0, 1.0]
    dates_only = ledger(posting_date=["2024-03-13", "2024-03-14"], entry_date=["2024-03-13", "2024-03-15"])
    assert time_of_day_source(dates_only) is None
    assert time_of_day_source(dates_only.assign(posting_date=pd.to_datetime(["2024-03-13 09:15"] * 2))) == (
        "posting_date"
    )


def test_both_stages_name_weekdays_alike():
    frame = ledger(posting_date=["2024-03-11", "2024-03-16", "2024-03-17"])
    by_weekday = run_anomaly_detection(frame).sections["temporal_patterns"]["postings_by_weekday"]
    summary_weekdays = run_default_analytics(frame).sections["temporal_patterns"]["by_weekday"]
    assert list(by_weekday) == [d["name"] for d in summary_weekdays] == list(WEEKDAY_NAMES)
    assert [by_weekday[d["name"]] for d in summary_weekdays] == [d["lines"] for d in summary_weekdays]


def test_both_stages_keep_the_same_weekend_the_country_s_unless_configured():
    # Thursday 14 to Sunday 17 March 2024, one line each by its own user
    frame = ledger(posting_date=["2024-03-14", "2024-03-15", "2024-03-16", "2024-03-17"], user=["a", "b", "c", "d"])
    for options, weekend in (
        ({}, ["Saturday", "Sunday"]),
        ({"country": "SA"}, ["Friday", "Saturday"]),
        ({"country": "SA", "weekend_days": ("Sunday",)}, ["Sunday"]),
    ):
        flagged = flags_of(run_anomaly_detection(frame, AnomalyDetectionOptions(**options)), "WEEKEND_POSTING")
        patterns = run_default_analytics(frame, DefaultAnalyticsOptions(**options)).sections["user_patterns"]
        shares = {u["user"]: u["weekend_share"] for u in patterns["top_users"]["items"]}
        assert patterns["weekend_days"] == weekend
        assert [d["weekday"] for d in flagged["details"]] == weekend
        assert sorted(u for u, share in shares.items() if share == 1.0) == sorted(
            "abcd"[i] for i, day in enumerate(("Thursday", "Friday", "Saturday", "Sunday")) if day in weekend
        )
