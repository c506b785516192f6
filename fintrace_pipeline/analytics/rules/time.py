"""Time rules: weekend and holiday postings, entries keyed in after hours (each weighed against the
poster's own habits), backdated entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import iso_days
from fintrace_pipeline.analytics.flags import build_flags, graded_severity
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.analytics.rules.habits import HabitOptions, Habits, habit_phrases, poster_habits
from fintrace_pipeline.analytics.working_time import (
    WEEKDAY_NAMES,
    WorkingTime,
    parse_clock,
    seconds_of_day,
    time_of_day_source,
)
from fintrace_pipeline.country_calendar import calendar_name, calendar_place, public_holidays
from fintrace_pipeline.findings import empty_flags
from fintrace_pipeline.rules import RULES


@dataclass(frozen=True)
class TimeRuleOptions(HabitOptions, WorkingTime):
    holiday_calendar: tuple[tuple[str, str], ...] | None = None  # (ISO date, name); None: the country's
    holiday_language: str | None = None  # language of the holiday names; None: the calendar's own
    backdated_days: int = 30
    backdated_high_days: int = 180


@dataclass(frozen=True)
class FileCalendar:
    """The days of the file's span: which are weekend days and public holidays, and the holidays' names."""

    first: np.datetime64
    last: np.datetime64
    weekend: tuple[int, ...]
    holidays: dict[date, str]
    name: str | None  # the calendar's name, None for a configured list of days
    place: str | None  # the same as a place in a sentence ("the United States")

    @property
    def days(self) -> np.ndarray:
        return np.arange(self.first, self.last + np.timedelta64(1, "D"), dtype="datetime64[D]")

    def holiday_days(self) -> np.ndarray:
        return np.array(sorted(self.holidays), dtype="datetime64[D]")

    def weekday_counts(self) -> np.ndarray:
        """How many Mondays .. Sundays the span holds."""
        return np.bincount((self.days.astype("int64") + 3) % 7, minlength=7)

    def working_day_count(self) -> int:
        days = self.days
        weekday = (days.astype("int64") + 3) % 7
        return int((~np.isin(weekday, self.weekend) & ~np.isin(days, self.holiday_days())).sum())

    def working_rows(self, posted: np.ndarray) -> np.ndarray:
        weekday = (posted.astype("int64") + 3) % 7
        return ~np.isnat(posted) & ~np.isin(weekday, self.weekend) & ~np.isin(posted, self.holiday_days())


def file_calendar(transactions: pd.DataFrame, options: TimeRuleOptions) -> FileCalendar:
    posted = transactions["posting_date"].to_numpy().astype("datetime64[D]")
    posted = posted[~np.isnat(posted)]
    first, last = (posted.min(), posted.max()) if len(posted) else (np.datetime64("1970-01-01"),) * 2
    if options.holiday_calendar is not None:
        holidays = {date.fromisoformat(day): name for day, name in options.holiday_calendar}
        return FileCalendar(first, last, options.weekend, holidays, None, None)
    holidays = public_holidays(options.country, data_years(transactions), options.holiday_language)
    return FileCalendar(
        first, last, options.weekend, holidays, calendar_name(options.country), calendar_place(options.country)
    )


def check_time_rules(run: RuleRun, options: TimeRuleOptions) -> None:
    tx = run.transactions
    users = tx["user"] if "user" in tx.columns else None
    calendar = file_calendar(tx, options)  # every file has posting dates (FLAGGING_COLUMNS)

    def weekend() -> None:
        flags, habits = weekend_flags(tx, users, calendar, options)
        run.record("WEEKEND_POSTING", flags, {"weekend_days": [WEEKDAY_NAMES[d] for d in options.weekend]} | habits)

    def holidays() -> None:
        flags, habits = holiday_flags(tx, users, calendar, options)
        stats = {"calendar": calendar.name or "configured", "holidays_in_calendar": len(calendar.holidays)}
        run.record("HOLIDAY_POSTING", flags, stats | habits)

    run.run_rule("WEEKEND_POSTING", weekend)
    run.run_rule("HOLIDAY_POSTING", holidays)
    source = time_of_day_source(tx)
    if source is None:
        run.skip("AFTER_HOURS", "no time of day in entry_date or posting_date")
    else:
        flags, habits = after_hours_flags(tx, source, users, options)
        run.record("AFTER_HOURS", flags, {"source_column": source} | habits)
    run.run_rule("BACKDATED_ENTRY", lambda: run.add(backdated_flags(tx, options)))


def _posted_days(transactions: pd.DataFrame) -> np.ndarray:
    return transactions["posting_date"].to_numpy().astype("datetime64[D]")


def weekend_flags(
    transactions: pd.DataFrame, users: pd.Series | None, calendar: FileCalendar, options: TimeRuleOptions
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Lines posted on a weekend day, unless posting on that weekday is routine for their poster."""
    posted = _posted_days(transactions)
    weekday = transactions["posting_date"].dt.dayofweek.to_numpy(na_value=-1).astype("int64")
    candidates = np.isin(weekday, calendar.weekend)
    habits = poster_habits(
        users,
        np.where(candidates, weekday, 0),
        candidates,
        np.maximum(calendar.weekday_counts(), 1),
        calendar.working_rows(posted),
        calendar.working_day_count(),
        options,
    )
    keep = ~habits.routine
    names = [WEEKDAY_NAMES[d] for d in weekday[candidates][keep].tolist()]
    days = iso_days(posted[candidates][keep])
    rule = RULES["WEEKEND_POSTING"]
    habit = habit_phrases(rule, habits, keep, [f"on {name}s" for name in names])
    flags = build_flags(
        transactions["row_number"].to_numpy()[candidates][keep],
        "WEEKEND_POSTING",
        rule.reasons(len(names), weekday=names, date=days, habit=habit),
        [
            {"posting_date": day, "weekday": name} | _habit_details(habits, keep, i)
            for i, (name, day) in enumerate(zip(names, days, strict=True))
        ],
    )
    return flags, habits.stats()


def _habit_details(habits: Habits, keep: np.ndarray, i: int) -> dict[str, int]:
    """The poster's counts behind a flag, where the row names its poster."""
    if not habits.known[keep][i]:
        return {}
    return {"user_lines_in_bucket": int(habits.bucket_lines[keep][i]), "user_lines": int(habits.user_lines[keep][i])}


# --- holidays -------------------------------------------------------------------------------


def holiday_flags(
    transactions: pd.DataFrame, users: pd.Series | None, calendar: FileCalendar, options: TimeRuleOptions
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Lines posted on a public holiday of the file's calendar, unless holiday work is routine for
    their poster."""
    if not calendar.holidays or transactions.empty:
        return empty_flags(), {}
    holiday_days = calendar.holiday_days()
    holiday_names = np.array([calendar.holidays[d] for d in sorted(calendar.holidays)], dtype=object)
    posted = _posted_days(transactions)
    candidates = np.isin(posted, holiday_days)
    in_span = int(((holiday_days >= calendar.first) & (holiday_days <= calendar.last)).sum())
    habits = poster_habits(
        users,
        np.zeros(len(posted), dtype="int64"),
        candidates,
        np.array([max(in_span, 1)]),
        calendar.working_rows(posted),
        calendar.working_day_count(),
        options,
    )
    keep = ~habits.routine
    hit = posted[candidates][keep]
    names = holiday_names[np.searchsorted(holiday_days, hit)].tolist()
    days = np.datetime_as_string(hit, unit="D")
    rule = RULES["HOLIDAY_POSTING"]
    which = rule.fill_phrases(
        ["country" if calendar.name else "configured"] * len(names), calendar=calendar.place or ""
    )
    habit = habit_phrases(rule, habits, keep, ["on public holidays"] * len(names))
    flags = build_flags(
        transactions["row_number"].to_numpy()[candidates][keep],
        "HOLIDAY_POSTING",
        rule.reasons(len(names), calendar=which, holiday=names, date=days, habit=habit),
        [
            {"posting_date": day, "holiday": name, "calendar": calendar.name or "configured"}
            | _habit_details(habits, keep, i)
            for i, (name, day) in enumerate(zip(names, days, strict=True))
        ],
    )
    return flags, habits.stats()


def data_years(transactions: pd.DataFrame) -> list[int]:
    years = [transactions["posting_date"].dt.year]
    if "entry_date" in transactions.columns:
        years.append(transactions["entry_date"].dt.year)
    return sorted({int(y) for s in years for y in s.dropna().unique()})


# --- after hours ----------------------------------------------------------------------------


def after_hours_flags(
    transactions: pd.DataFrame, column: str, users: pd.Series | None, hours: TimeRuleOptions
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows whose ``column`` time of day falls outside business hours (a bare date is not flagged),
    unless keying in at that hour is routine for their poster."""
    outside = hours.outside_business_hours(transactions[column])
    candidates = outside == 1.0
    hour = np.nan_to_num(seconds_of_day(transactions[column]) // 3600).astype("int64")
    stamped = transactions[column].dropna()
    span_days = max(int((stamped.max().normalize() - stamped.min().normalize()).days) + 1, 1) if len(stamped) else 1
    business_hours = max((parse_clock(hours.business_hours_end) - parse_clock(hours.business_hours_start)) / 3600, 1.0)
    habits = poster_habits(
        users,
        np.where(candidates, hour, 0),
        candidates,
        np.full(24, span_days),
        outside == 0.0,
        span_days * business_hours,
        hours,
    )
    keep = ~habits.routine
    stamps = transactions[column].to_numpy()[candidates][keep].astype("datetime64[s]")
    texts = np.datetime_as_string(stamps, unit="s")
    days = [t[:10] for t in texts]
    clocks = [t[11:] for t in texts]
    window = hours.business_hours
    rule = RULES["AFTER_HOURS"]
    habit = habit_phrases(rule, habits, keep, [f"keyed in {c[:2]}:00–{c[:2]}:59" for c in clocks])
    flags = build_flags(
        transactions["row_number"].to_numpy()[candidates][keep],
        "AFTER_HOURS",
        rule.reasons(len(days), clock=[c[:5] for c in clocks], date=days, business_hours=window, habit=habit),
        [
            {"time": c, "date": d, "source_column": column, "business_hours": window} | _habit_details(habits, keep, i)
            for i, (c, d) in enumerate(zip(clocks, days, strict=True))
        ],
    )
    return flags, habits.stats()


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
