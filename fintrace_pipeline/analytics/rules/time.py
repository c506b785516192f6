"""Time rules: weekend and holiday postings, entries keyed in after hours, backdated entries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.rules.common import build_flags, iso_days
from fintrace_pipeline.findings import empty_flags

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SECONDS_PER_DAY = 86_400


def weekend_flags(transactions: pd.DataFrame) -> pd.DataFrame:
    weekday = transactions["posting_date"].dt.dayofweek.to_numpy()
    mask = weekday >= 5
    days = iso_days(transactions["posting_date"].to_numpy()[mask])
    names = [WEEKDAY_NAMES[d] for d in weekday[mask].tolist()]
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "WEEKEND_POSTING",
        [f"Posted on a {name} ({day})" for name, day in zip(names, days, strict=True)],
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
        [f"Posted on {name} ({day})" for name, day in zip(names, days, strict=True)],
        [{"posting_date": day, "holiday": name} for name, day in zip(names, days, strict=True)],
    )


def data_years(transactions: pd.DataFrame) -> list[int]:
    years = [transactions["posting_date"].dt.year]
    if "entry_date" in transactions.columns:
        years.append(transactions["entry_date"].dt.year)
    return sorted({int(y) for s in years for y in s.dropna().unique()})


# --- after hours ----------------------------------------------------------------------------


def seconds_of_day(values: pd.Series) -> np.ndarray:
    """Seconds since midnight (float, NaN for NaT)."""
    raw = values.to_numpy().astype("datetime64[s]")
    missing = np.isnat(raw)
    seconds = (raw.astype("int64") % SECONDS_PER_DAY).astype("float64")
    seconds[missing] = np.nan
    return seconds


def carries_times(values: pd.Series) -> bool:
    """True when at least one value has a time of day other than midnight."""
    seconds = seconds_of_day(values)
    return bool(np.nansum(seconds > 0) > 0)


def parse_clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def after_hours_flags(transactions: pd.DataFrame, column: str, start: str, end: str) -> pd.DataFrame:
    """Rows whose ``column`` time is before ``start`` or at/after ``end`` (HH:MM).

    Values at exactly 00:00:00 are taken as "date only" (many exports store dates that way) and
    are not flagged.
    """
    seconds = seconds_of_day(transactions[column])
    start_s, end_s = parse_clock(start), parse_clock(end)
    with np.errstate(invalid="ignore"):
        mask = (seconds > 0) & ((seconds < start_s) | (seconds >= end_s))
    stamps = transactions[column].to_numpy()[mask].astype("datetime64[s]")
    texts = np.datetime_as_string(stamps, unit="s")
    days = [t[:10] for t in texts]
    clocks = [t[11:] for t in texts]
    window = f"{start}–{end}"
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "AFTER_HOURS",
        [f"Keyed in at {c[:5]} on {d}, outside business hours {window}" for c, d in zip(clocks, days, strict=True)],
        [
            {"time": c, "date": d, "source_column": column, "business_hours": window}
            for c, d in zip(clocks, days, strict=True)
        ],
    )


# --- backdating -----------------------------------------------------------------------------


def backdated_flags(transactions: pd.DataFrame, max_days: int, high_days: int) -> pd.DataFrame:
    """Rows entered more than ``max_days`` calendar days after their posting date."""
    entered = transactions["entry_date"].to_numpy().astype("datetime64[D]")
    posted = transactions["posting_date"].to_numpy().astype("datetime64[D]")
    valid = ~np.isnat(entered)
    lag = np.zeros(len(transactions), dtype="int64")
    lag[valid] = (entered[valid] - posted[valid]).astype("int64")
    mask = valid & (lag > max_days)
    lags = lag[mask].tolist()
    entered_s = np.datetime_as_string(entered[mask], unit="D")
    posted_s = np.datetime_as_string(posted[mask], unit="D")
    rows = zip(lags, entered_s, posted_s, strict=True)
    reasons, details = [], []
    for days, e, p in rows:
        reasons.append(f"Entered {e}, {days} days after its posting date {p} (limit {max_days})")
        details.append({"entry_date": e, "posting_date": p, "lag_days": days, "limit_days": max_days})
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "BACKDATED_ENTRY",
        reasons,
        details,
        severity=np.where(np.asarray(lags) > high_days, "high", "medium"),
    )
