from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ORDINARY_DATE, ledger


def test_weekend_postings():
    result = run_anomaly_detection(ledger(posting_date=["2024-03-15", "2024-03-16", "2024-03-17", "2024-03-18"]))
    weekend = flags_of(result, "WEEKEND_POSTING")
    assert weekend["row_number"].tolist() == [2, 3]
    assert weekend["reason"].tolist() == ["Posted on a Saturday (2024-03-16)", "Posted on a Sunday (2024-03-17)"]
    assert weekend["severity"].tolist() == ["low", "low"]
    assert weekend["details"][0] == {"posting_date": "2024-03-16", "weekday": "Saturday"}


def test_the_default_calendar_is_the_us_one_with_observed_days():
    frame = ledger(posting_date=["2024-07-04", "2026-07-03", "2024-11-28", ORDINARY_DATE])
    holiday = flags_of(run_anomaly_detection(frame), "HOLIDAY_POSTING")
    assert holiday["row_number"].tolist() == [1, 2, 3]
    assert holiday["reason"].tolist() == [
        "Posted on a public holiday in the United States: Independence Day (2024-07-04)",
        "Posted on a public holiday in the United States: Independence Day (observed) (2026-07-03)",
        "Posted on a public holiday in the United States: Thanksgiving Day (2024-11-28)",
    ]
    assert holiday["details"][0] == {
        "posting_date": "2024-07-04",
        "holiday": "Independence Day",
        "calendar": "United States",
    }


def test_a_german_file_gets_german_holidays_named_by_their_calendar_and_no_us_ones():
    days = ["2024-01-06", "2024-10-03", "2024-11-28", "2024-06-19", "2024-07-04", "2024-05-30"]
    germany = flags_of(
        run_anomaly_detection(ledger(posting_date=days), AnomalyDetectionOptions(country="DE")), "HOLIDAY_POSTING"
    )
    assert germany["reason"].tolist() == [
        "Posted on a public holiday in Germany: Tag der Deutschen Einheit (2024-10-03)"
    ]
    bavaria = run_anomaly_detection(ledger(posting_date=days), AnomalyDetectionOptions(country="DE-BY"))
    assert flags_of(bavaria, "HOLIDAY_POSTING")["reason"].tolist() == [
        "Posted on a public holiday in Germany (Bayern): Heilige Drei Könige (2024-01-06)",
        "Posted on a public holiday in Germany (Bayern): Tag der Deutschen Einheit (2024-10-03)",
        "Posted on a public holiday in Germany (Bayern): Fronleichnam (2024-05-30)",
    ]
    assert bavaria.sections["risk_assessment"]["checks"]["HOLIDAY_POSTING"]["calendar"] == "Germany (Bayern)"
    english = AnomalyDetectionOptions(country="DE-BY", holiday_language="en_US")
    assert (
        flags_of(run_anomaly_detection(ledger(posting_date=days), english), "HOLIDAY_POSTING")["details"][0]["holiday"]
        == "Epiphany"
    )


def test_a_configured_list_of_holidays_replaces_the_country_calendar():
    frame = ledger(posting_date=["2024-07-04", ORDINARY_DATE])
    custom = AnomalyDetectionOptions(holiday_calendar=(("2024-03-13", "Company day"),))
    holiday = flags_of(run_anomaly_detection(frame, custom), "HOLIDAY_POSTING")
    assert holiday["row_number"].tolist() == [2]
    assert holiday["reason"][0] == "Posted on a holiday of the configured calendar: Company day (2024-03-13)"


def test_the_weekend_is_the_country_s_own_unless_configured():
    # Thursday 14 to Sunday 17 March 2024
    frame = ledger(posting_date=["2024-03-14", "2024-03-15", "2024-03-16", "2024-03-17"])
    saudi = flags_of(run_anomaly_detection(frame, AnomalyDetectionOptions(country="SA")), "WEEKEND_POSTING")
    assert saudi["reason"].tolist() == ["Posted on a Friday (2024-03-15)", "Posted on a Saturday (2024-03-16)"]
    sunday_only = AnomalyDetectionOptions(weekend_days=("Sunday",))
    assert flags_of(run_anomaly_detection(frame, sunday_only), "WEEKEND_POSTING")["row_number"].tolist() == [4]
    checks = run_anomaly_detection(frame, AnomalyDetectionOptions(country="SA")).sections["risk_assessment"]["checks"]
    assert checks["WEEKEND_POSTING"]["weekend_days"] == ["Friday", "Saturday"]


def _working_weeks(user: str, weeks: int, saturday_lines: int) -> tuple[list[str], list[str]]:
    """``user`` posts twice every working day of ``weeks`` weeks from Monday 8 January 2024 and on
    ``saturday_lines`` Saturdays."""
    days = pd.bdate_range("2024-01-08", periods=weeks * 5).strftime("%Y-%m-%d").tolist() * 2
    days += pd.date_range("2024-01-13", periods=saturday_lines, freq="7D").strftime("%Y-%m-%d").tolist()
    return days, [user] * len(days)


def test_a_user_who_routinely_works_saturdays_is_not_flagged_for_each_of_them():
    shift_days, shift = _working_weeks("sam", 20, 15)
    rare_days, rare = _working_weeks("rita", 20, 1)
    result = run_anomaly_detection(ledger(posting_date=shift_days + rare_days, user=shift + rare))
    weekend = flags_of(result, "WEEKEND_POSTING")
    assert weekend["reason"].tolist() == [
        "Posted on a Saturday (2024-01-13); user rita has 1 of 201 lines on Saturdays"
    ]
    assert weekend["details"][0] == {
        "posting_date": "2024-01-13",
        "weekday": "Saturday",
        "user_lines_in_bucket": 1,
        "user_lines": 201,
    }
    checks = result.sections["risk_assessment"]["checks"]["WEEKEND_POSTING"]
    assert checks["routine_lines_not_flagged"] == 15 and checks["routine_users"] == 1
    # Four Saturdays are too few to make a habit, however few weekdays the user works.
    few_days, few = _working_weeks("fay", 1, 4)
    assert len(flags_of(run_anomaly_detection(ledger(posting_date=few_days, user=few)), "WEEKEND_POSTING")) == 4


def test_holiday_work_is_weighed_against_the_user_s_habits():
    days, users = _working_weeks("sam", 52, 0)
    holidays = ["2024-01-15", "2024-02-19", "2024-05-27", "2024-07-04", "2024-09-02", "2024-10-14"]
    frame = ledger(posting_date=days + holidays * 2 + holidays[:1], user=users + ["sam"] * 12 + ["rita"])
    holiday = flags_of(run_anomaly_detection(frame), "HOLIDAY_POSTING")
    assert holiday["reason"].tolist() == [
        "Posted on a public holiday in the United States: Martin Luther King Jr. Day (2024-01-15); "
        "user rita has 1 of 1 lines on public holidays"
    ]


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


def test_after_hours_work_is_weighed_against_the_user_s_habits():
    office = [f"2024-03-{d:02d} 10:15" for d in range(4, 30)] * 2
    late = [f"2024-03-{d:02d} 22:40" for d in range(4, 12)]
    entry = office + late + office + ["2024-03-20 22:05"]
    users = ["nina"] * (len(office) + len(late)) + ["omar"] * (len(office) + 1)
    frame = ledger(posting_date=[e[:10] for e in entry], entry_date=entry, user=users)
    after = flags_of(run_anomaly_detection(frame), "AFTER_HOURS")
    assert after["reason"].tolist() == [
        "Keyed in at 22:05 on 2024-03-20, outside business hours 07:00–20:00; "
        "user omar has 1 of 53 lines keyed in 22:00–22:59"
    ]


def test_backdated_entries():
    frame = ledger(posting_date=["2024-01-10"] * 3, entry_date=["2024-02-09", "2024-02-10", "2024-07-28"])
    backdated = flags_of(run_anomaly_detection(frame), "BACKDATED_ENTRY")
    assert backdated["row_number"].tolist() == [2, 3]  # 30 days is within the limit
    assert backdated["severity"].tolist() == ["medium", "high"]  # 200 days > 180
    assert backdated["reason"][0] == "Entered 2024-02-10, 31 days after its posting date 2024-01-10 (limit 30)"
    assert backdated["details"][1]["lag_days"] == 200
