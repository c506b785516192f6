"""Time rules: weekend and holiday postings, entries keyed in after hours, backdated entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import iso_days
from fintrace_pipeline.analytics.flags import build_flags, graded_severity
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.analytics.working_time import WEEKDAY_NAMES, BusinessHours, time_of_day_source
from fintrace_pipeline.findings import empty_flags
from fintrace_pipeline.rules import RULES


@dataclass(frozen=True)
class TimeRuleOptions(BusinessHours):
    holiday_calendar: tuple[tuple[str, str], ...] | None = None  # (ISO date, name); None: US federal
    include_observed_holidays: bool = True
    backdated_days: int = 30
    backdated_high_days: int = 180


def check_time_rules(run: RuleRun, options: TimeRuleOptions) -> None:
    tx = run.transactions
    run.run_rule("WEEKEND_POSTING", lambda: run.add(weekend_flags(tx)))

    def holidays() -> None:
        calendar = holiday_calendar(tx, options)
        run.checks["HOLIDAY_POSTING"] = {
            "calendar": "custom" if options.holiday_calendar is not None else "US federal",
            "holidays_in_calendar": len(calendar),
        }
        run.add(holiday_flags(tx, calendar))

    run.run_rule("HOLIDAY_POSTING", holidays)
    source = time_of_day_source(tx)
    if source is None:
        run.skip("AFTER_HOURS", "no time of day in entry_date or posting_date")
    else:
        run.checks["AFTER_HOURS"] = {"source_column": source}
        run.add(after_hours_flags(tx, source, options))
    run.run_rule("BACKDATED_ENTRY", lambda: run.add(backdated_flags(tx, options)))


def weekend_flags(transactions: pd.DataFrame) -> pd.DataFrame:
    weekday = transactions["posting_date"].dt.dayofweek.to_numpy()
    mask = weekday >= 5
    days = iso_days(transactions["posting_date"].to_numpy()[mask])
    names = [WEEKDAY_NAMES[d] for d in weekday[mask].tolist()]
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "WEEKEND_POSTING",
        RULES["WEEKEND_POSTING"].reasons(len(names), weekday=names, date=days),
        [{"posting_date": day, "weekday": name} for name, day in zip(names, days, strict=True)],
    )


# --- holidays -------------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (0 = Monday) of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def us_federal_holidays(years: Iterable[int], observed: bool = True) -> dict[date, str]:
    """US federal holidays (5 U.S.C. 6103) for the given years.

    Fixed-date holidays falling on a Saturday are observed the Friday before, on a Sunday the
    Monday after; with ``observed`` those days are included too (offices are closed on them).
    """
    holidays: dict[date, str] = {}
    for year in sorted(set(years)):
        fixed = [
            (date(year, 1, 1), "New Year's Day"),
            (date(year, 7, 4), "Independence Day"),
            (date(year, 11, 11), "Veterans Day"),
            (date(year, 12, 25), "Christmas Day"),
        ]
        if year >= 2021:
            fixed.append((date(year, 6, 19), "Juneteenth National Independence Day"))
        for day, name in fixed:
            holidays[day] = name
            if observed and day.weekday() in (5, 6):
                shifted = day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1)
                holidays.setdefault(shifted, f"{name} (observed)")
        holidays[_nth_weekday(year, 1, 0, 3)] = "Martin Luther King Jr. Day"
        holidays[_nth_weekday(year, 2, 0, 3)] = "Washington's Birthday"
        holidays[_nth_weekday(year, 5, 0, -1)] = "Memorial Day"
        holidays[_nth_weekday(year, 9, 0, 1)] = "Labor Day"
        holidays[_nth_weekday(year, 10, 0, 2)] = "Columbus Day"
        holidays[_nth_weekday(year, 11, 3, 4)] = "Thanksgiving Day"
    return dict(sorted(holidays.items()))


def holiday_flags(transactions: pd.DataFrame, calendar: dict[date, str]) -> pd.DataFrame:
    if not calendar or transactions.empty:
        return empty_flags()
    holiday_days = np.array(list(calendar), dtype="datetime64[D]")
    holiday_names = np.array(list(calendar.values()), dtype=object)
    order = np.argsort(holiday_days)
    holiday_days, holiday_names = holiday_days[order], holiday_names[order]
    posted = transactions["posting_date"].to_numpy().astype("datetime64[D]")
    mask = np.isin(posted, holiday_days)
    names = holiday_names[np.searchsorted(holiday_days, posted[mask])].tolist()
    days = np.datetime_as_string(posted[mask], unit="D")
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "HOLIDAY_POSTING",
        RULES["HOLIDAY_POSTING"].reasons(len(names), holiday=names, date=days),
        [{"posting_date": day, "holiday": name} for name, day in zip(names, days, strict=True)],
    )


def data_years(transactions: pd.DataFrame) -> list[int]:
    years = [transactions["posting_date"].dt.year]
    if "entry_date" in transactions.columns:
        years.append(transactions["entry_date"].dt.year)
    return sorted({int(y) for s in years for y in s.dropna().unique()})


def holiday_calendar(transactions: pd.DataFrame, options: TimeRuleOptions) -> dict[date, str]:
    if options.holiday_calendar is not None:
        return {date.fromisoformat(day): name for day, name in options.holiday_calendar}
    return us_federal_holidays(data_years(transactions), options.include_observed_holidays)


# --- after hours ----------------------------------------------------------------------------


def after_hours_flags(transactions: pd.DataFrame, column: str, hours: BusinessHours) -> pd.DataFrame:
    """Rows whose ``column`` time of day falls outside business hours (a bare date is not flagged)."""
    mask = hours.outside_business_hours(transactions[column]) == 1.0
    stamps = transactions[column].to_numpy()[mask].astype("datetime64[s]")
    texts = np.datetime_as_string(stamps, unit="s")
    days = [t[:10] for t in texts]
    clocks = [t[11:] for t in texts]
    window = hours.business_hours
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "AFTER_HOURS",
        RULES["AFTER_HOURS"].reasons(len(days), clock=[c[:5] for c in clocks], date=days, business_hours=window),
        [
            {"time": c, "date": d, "source_column": column, "business_hours": window}
            for c, d in zip(clocks, days, strict=True)
        ],
    )


# --- backdating -----------------------------------------------------------------------------


def backdated_flags(transactions: pd.DataFrame, options: TimeRuleOptions) -> pd.DataFrame:
    """Rows entered more than ``backdated_days`` calendar days after their posting date; beyond
    ``backdated_high_days`` one severity level higher."""
    limit = options.backdated_days
    entered = transactions["entry_date"].to_numpy().astype("datetime64[D]")
    posted = transactions["posting_date"].to_numpy().astype("datetime64[D]")
    valid = ~np.isnat(entered)
    lag = np.zeros(len(transactions), dtype="int64")
    lag[valid] = (entered[valid] - posted[valid]).astype("int64")
    mask = valid & (lag > limit)
    lags = lag[mask].tolist()
    entered_s = np.datetime_as_string(entered[mask], unit="D")
    posted_s = np.datetime_as_string(posted[mask], unit="D")
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "BACKDATED_ENTRY",
        RULES["BACKDATED_ENTRY"].reasons(len(lags), entry_date=entered_s, lag=lags, posting_date=posted_s, limit=limit),
        [
            {"entry_date": e, "posting_date": p, "lag_days": days, "limit_days": limit}
            for days, e, p in zip(lags, entered_s, posted_s, strict=True)
        ],
        severity=graded_severity("BACKDATED_ENTRY", lag[mask] > options.backdated_high_days),
    )
