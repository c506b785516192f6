from __future__ import annotations

from datetime import date

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline.analytics.rules.time import us_federal_holidays
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ORDINARY_DATE, ledger


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
