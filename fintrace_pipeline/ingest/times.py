"""Vectorised parsing of time-of-day cells kept apart from their date: "09:30:16", "2:30 PM",
"09.30.16", SAP's HHMMSS digits without zero padding ("93016" = 09:30:16), a workbook's
"1899-12-30 09:30:16" or its fraction of a day ("0.396").

Values that are no time of day (hour above 23, minute above 59, text) come back as NaT.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fintrace_pipeline.ingest.values import fullmatch

# A time-only workbook cell can come out on Excel's day 0 (or day 1).
_EPOCH_DAY = r"(?:1899-12-3[01]|1900-01-0[01])[ T]"
_CLOCK = (
    rf"^(?:{_EPOCH_DAY})?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::(?P<s>\d{{2}})(?:[.,]\d+)?)?"
    r"(?:\s*(?P<half>[AaPp])\.?[Mm]\.?)?$"
)
_DOTTED = r"^(?P<h>\d{1,2})\.(?P<m>\d{2})\.(?P<s>\d{2})$"
_DIGITS = r"\d{1,6}"
_FRACTION = r"0?\.\d+|0"
MIN_LONG_DIGITS = 0.5  # share of digit-only times with 3+ digits (else they are more likely hours or counts)
SECONDS_PER_DAY = 86_400


def parse_times(text: pd.Series) -> pd.Series:
    """timedelta64[ns] since midnight for each cleaned cell (NaT where empty or not a time)."""
    seconds = np.full(len(text), np.nan)
    for pattern in (_CLOCK, _DOTTED):
        _fill_clock(text, pattern, seconds)
    digits = fullmatch(text, _DIGITS) & np.isnan(seconds)
    if digits.any():
        seconds[digits] = _from_digits(text[digits].astype("int64").to_numpy(), _longest(text[digits]))
    fraction = fullmatch(text, _FRACTION) & np.isnan(seconds)
    if fraction.any():
        days = text[fraction].astype("float64").to_numpy()
        seconds[fraction] = np.where(days < 1, np.round(days * SECONDS_PER_DAY), np.nan)
    return pd.Series(pd.to_timedelta(seconds, unit="s"), index=text.index).astype("timedelta64[ns]")


def time_share(text: pd.Series) -> float:
    """The share of a column's values that read as times of day (0 for an empty column); digit-only
    values count only where most of them have three digits or more."""
    present = text.dropna()
    if present.empty:
        return 0.0
    digits = fullmatch(present, _DIGITS)
    if digits.any() and float(np.mean(present[digits].str.len() >= 3)) < MIN_LONG_DIGITS:
        return float(np.mean(~digits & parse_times(present).notna().to_numpy()))
    return float(np.mean(parse_times(present).notna().to_numpy()))


def _fill_clock(text: pd.Series, pattern: str, seconds: np.ndarray) -> None:
    todo = np.isnan(seconds) & fullmatch(text, pattern)
    if not todo.any():
        return
    array = pa.array(text[todo].astype("string").array)
    fields = pc.extract_regex(array, pattern)

    names = [f.name for f in fields.type]

    def number(name: str) -> np.ndarray:
        if name not in names:
            return np.zeros(len(array))
        digits = pc.replace_substring_regex(pc.struct_field(fields, name), "^$", "0")
        return pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False).astype("float64")

    hour, minute, second = number("h"), number("m"), number("s")
    if "half" in names:
        half = pc.utf8_lower(pc.struct_field(fields, "half")).to_numpy(zero_copy_only=False)
        twelve_hour = half != ""
        # 12 AM is midnight, 12 PM noon; "13:00 PM" or "0:30 AM" are no 12-hour times.
        bad = twelve_hour & ((hour > 12) | (hour == 0))
        hour = np.where(twelve_hour & (hour == 12), 0, hour) + np.where(half == "p", 12, 0)
        hour = np.where(bad, np.nan, hour)
    valid = (hour < 24) & (minute < 60) & (second < 60)
    seconds[todo] = np.where(valid, hour * 3600 + minute * 60 + second, np.nan)


def _longest(text: pd.Series) -> int:
    return int(text.str.len().max())


def _from_digits(numbers: np.ndarray, longest: int) -> np.ndarray:
    """HHMMSS (or HHMM, where no value of the column is longer than four digits) without padding."""
    if longest <= 4:
        hour, minute, second = numbers // 100, numbers % 100, np.zeros_like(numbers)
    else:
        hour, minute, second = numbers // 10_000, numbers // 100 % 100, numbers % 100
    valid = (hour < 24) & (minute < 60) & (second < 60)
    return np.where(valid, hour * 3600 + minute * 60 + second, np.nan).astype("float64")


def add_time_of_day(stamps: pd.Series, text: pd.Series) -> tuple[pd.Series, int]:
    """``stamps`` (dates at midnight) moved to the time of day in ``text``, row by row; and how many
    rows had a value there that is no time (those keep their date at midnight)."""
    times = parse_times(text)
    usable = times.notna() & stamps.notna() & (stamps == stamps.dt.normalize())
    unreadable = int((times.isna() & text.notna()).sum())
    return stamps.mask(usable, stamps + times), unreadable
