"""When money moves: activity by month, weekday and hour, and how much lands at month end."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.summaries.common import MAX_CALENDAR_MONTHS, iso, money, month_label, ratio
from fintrace_pipeline.analytics.working_time import WEEKDAY_NAMES


def _sums(index: np.ndarray, size: int, weights: np.ndarray) -> np.ndarray:
    return np.bincount(index, weights=weights, minlength=size)


def monthly_totals(month: np.ndarray, debit: np.ndarray, credit: np.ndarray) -> pd.DataFrame:
    """Lines, debit, credit, net and volume per month: every month of the span (empty ones as zero)
    when the span is short, else only the months with activity."""
    first = int(month.min())
    offset = month - first
    size = int(offset.max()) + 1
    table = pd.DataFrame(
        {
            "month": [month_label(first + i) for i in range(size)],
            "lines": np.bincount(offset, minlength=size).astype("int64"),
            "debit": _sums(offset, size, debit).round(2),
            "credit": _sums(offset, size, credit).round(2),
        }
    )
    table["net"] = (table["debit"] - table["credit"]).round(2)
    table["volume"] = (table["debit"] + table["credit"]).round(2)
    if size > MAX_CALENDAR_MONTHS:
        table = table[table["lines"] > 0].reset_index(drop=True)
    return table


def _by_category(index: np.ndarray, size: int, volume: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.bincount(index, minlength=size).astype("int64"), _sums(index, size, volume).round(2)


def period_end_concentration(posting_date: pd.Series, volume: np.ndarray, days: int) -> dict[str, Any]:
    """Share of lines and volume posted in the last ``days`` calendar days of their month, against the
    share of calendar days of the covered period that fall in such windows (what an even spread gives)."""
    in_window = (posting_date.dt.day > posting_date.dt.days_in_month - days).to_numpy()
    calendar = pd.date_range(posting_date.min().normalize(), posting_date.max().normalize(), freq="D")
    expected = ratio(int((calendar.day > calendar.days_in_month - days).sum()), len(calendar))
    lines_share = ratio(int(in_window.sum()), len(in_window))
    volume_share = ratio(volume[in_window].sum(), volume.sum())
    return {
        "days": days,
        "basis": "calendar days",
        "lines": int(in_window.sum()),
        "volume": money(volume[in_window].sum()),
        "lines_share": lines_share,
        "volume_share": volume_share,
        "expected_share": expected,
        # How many times more than an even spread would put there (1.0 = no concentration).
        "lines_ratio": None if not expected or lines_share is None else round(lines_share / expected, 2),
        "volume_ratio": None if not expected or volume_share is None else round(volume_share / expected, 2),
    }


def temporal_patterns_section(
    posting_date: pd.Series,
    month: np.ndarray,
    debit: np.ndarray,
    credit: np.ndarray,
    hours: np.ndarray | None,
    time_source: str | None,
    period_end_days: int,
) -> dict[str, Any]:
    volume = debit + credit
    first, last = posting_date.min(), posting_date.max()
    weekday = posting_date.dt.dayofweek.to_numpy()
    weekday_lines, weekday_volume = _by_category(weekday, 7, volume)
    by_hour = None
    if hours is not None:
        known = ~np.isnan(hours)
        hour_lines, hour_volume = _by_category(hours[known].astype("int64"), 24, volume[known])
        by_hour = [{"hour": h, "lines": int(hour_lines[h]), "volume": float(hour_volume[h])} for h in range(24)]
    return {
        "date_range": {
            "first_posting": iso(first),
            "last_posting": iso(last),
            "days_spanned": int((last.normalize() - first.normalize()).days) + 1,
            "months_spanned": int(month.max() - month.min()) + 1,
        },
        "by_month": monthly_totals(month, debit, credit).to_dict(orient="records"),
        "by_weekday": [
            {"weekday": d, "name": WEEKDAY_NAMES[d], "lines": int(weekday_lines[d]), "volume": float(weekday_volume[d])}
            for d in range(7)
        ],
        "time_source": time_source,
        "by_hour": by_hour,
        "period_end": period_end_concentration(posting_date, volume, period_end_days),
    }
