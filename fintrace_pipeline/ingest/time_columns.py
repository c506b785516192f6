"""Time-of-day columns kept apart from their date ("Entered_Date" + "Entered_Time", "Datum" +
"Uhrzeit"): which date each belongs to, so the two are read as one timestamp.

A time column goes with the date column whose header names the same event (entry, posting,
payment...); a header that names none ("Time", "Heure", "Hora") goes with the date beside it. The
column's values must be times of day, and the date's values must not carry one already.
"""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline import canonical
from fintrace_pipeline.ingest import dates
from fintrace_pipeline.ingest import lexicon as lx
from fintrace_pipeline.ingest.header_terms import header_terms
from fintrace_pipeline.ingest.times import time_share

MIN_TIME_SHARE = 0.9
# Ideas that say what a date or time is of; the rest of a header ("time", "day", "on") only says when.
_WHEN = frozenset({lx.DATE, lx.DAY, lx.TIME, lx.ON})
# A time header that names anything but the event it is of is no time of day ("Time Zone", "Time Spent Amount").
_EVENTS = frozenset(
    {
        lx.ENTRY,
        lx.CREATE,
        lx.POST,
        lx.GL,
        lx.ACCOUNTING,
        lx.PAY,
        lx.TRANSACTION,
        lx.DOCUMENT,
        lx.INVOICE,
        lx.SYSTEM,
        lx.RECEIVED,
        lx.EFFECTIVE,
        lx.VALUE,
        lx.JOURNAL,
        lx.ISSUE,
    }
)


def time_columns(headers: list[str], mapping: dict[str, str], sample: pd.DataFrame | None) -> dict[str, str]:
    """Canonical date name -> the header of its separate time-of-day column, for the mapped dates."""
    if sample is None:
        return {}
    used = set(mapping.values())
    found: dict[str, str] = {}
    for header in headers:
        if header in used or not _names_a_time(header) or time_share(sample[header]) < MIN_TIME_SHARE:
            continue
        name = _date_for(header, headers, mapping)
        if name is not None and name not in found and not _carries_times(sample[mapping[name]]):
            found[name] = header
    return found


def _names_a_time(header: str) -> bool:
    concepts = header_terms(header).concepts
    return lx.TIME in concepts and not (concepts - _WHEN - _EVENTS) and lx.DATE not in concepts


def _events(header: str) -> frozenset[str]:
    return header_terms(header).concepts - _WHEN


def _date_for(header: str, headers: list[str], mapping: dict[str, str]) -> str | None:
    """The mapped date whose header names the same event, else the one right beside it."""
    dated = [name for name in reversed(canonical.DATE_COLUMNS) if name in mapping]  # entry first
    events = _events(header)
    same_event = next((name for name in dated if events & _events(mapping[name])), None)
    if same_event is not None:
        return same_event
    position = headers.index(header)
    beside = {headers[i] for i in (position - 1, position + 1) if 0 <= i < len(headers)}
    return next((name for name in dated if mapping[name] in beside), None)


def _carries_times(text: pd.Series) -> bool:
    """Whether some of the date column's values already hold a time of day other than midnight."""
    parsed = dates.parse_dates(dates.classify_dates(text.dropna()), dates.DMY)
    parsed = parsed.dropna()
    return bool(len(parsed)) and bool((parsed != parsed.dt.normalize()).any())
