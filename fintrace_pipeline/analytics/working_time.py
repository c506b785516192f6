"""Working time, the same for every stage: the country whose calendar a file is judged by, its weekend
days, weekday names, the time of day a line was keyed in and the business hours outside which that
counts as after hours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.country_calendar import usual_weekend

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SECONDS_PER_DAY = 86_400


def seconds_of_day(values: pd.Series) -> np.ndarray:
    """Seconds since midnight (float, NaN for NaT)."""
    raw = values.to_numpy().astype("datetime64[s]")
    missing = np.isnat(raw)
    seconds = (raw.astype("int64") % SECONDS_PER_DAY).astype("float64")
    seconds[missing] = np.nan
    return seconds


def carries_times(values: pd.Series) -> bool:
    """True when at least one value has a time of day other than midnight (a date-only column has none)."""
    return bool(np.nansum(seconds_of_day(values) > 0) > 0)


def time_of_day_source(frame: pd.DataFrame) -> str | None:
    """The column whose time of day says when a line was keyed in: entry_date, else posting_date;
    None when neither carries a time."""
    for column in ("entry_date", "posting_date"):
        if column in frame.columns and carries_times(frame[column]):
            return column
    return None


def parse_clock(text: str) -> int:
    """'HH:MM' as seconds since midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def weekday_numbers(names: tuple[str, ...] | list[str]) -> tuple[int, ...]:
    """Weekday names ("Saturday") as numbers, Monday = 0."""
    return tuple(sorted(WEEKDAY_NAMES.index(name) for name in names))


@dataclass(frozen=True)
class WorkingTime(Options):
    country: str = "US"  # ISO 3166-1 alpha-2, optionally "-" subdivision: the calendar the file is judged by
    weekend_days: tuple[str, ...] | None = None  # weekday names; None: the country's usual weekend
    business_hours_start: str = "07:00"  # HH:MM; after hours = before this ...
    business_hours_end: str = "20:00"  # ... or from this on

    @property
    def weekend(self) -> tuple[int, ...]:
        """The weekend's weekdays, Monday = 0."""
        if self.weekend_days is not None:
            return weekday_numbers(self.weekend_days)
        return usual_weekend(self.country)

    def on_weekend(self, stamps: pd.Series) -> np.ndarray:
        """Per value whether it falls on a weekend day (False for NaT)."""
        return stamps.dt.dayofweek.isin(self.weekend).to_numpy(dtype=bool)

    @property
    def business_hours(self) -> str:
        return f"{self.business_hours_start}–{self.business_hours_end}"

    def outside_business_hours(self, stamps: pd.Series) -> np.ndarray:
        """Per value 1.0 when keyed in outside business hours, 0.0 inside them, NaN where the value
        carries no time of day: NaT, or exactly midnight, which is how many exports store a bare date."""
        seconds = seconds_of_day(stamps)
        start, end = parse_clock(self.business_hours_start), parse_clock(self.business_hours_end)
        with np.errstate(invalid="ignore"):
            outside = ((seconds < start) | (seconds >= end)).astype("float64")
            outside[~(seconds > 0)] = np.nan
        return outside
