"""Helpers shared by the summary stages (default analytics, expense): money and JSON-safe values,
grouping keys, month labels, bounded top-N lists and sheet-ready tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.jsonsafe import json_safe

# Label under which lines with a blank grouping value (no user, no account, ...) are reported.
BLANK_LABEL = "(blank)"
# Beyond this many months a calendar is listed by active months only (a stray 1900 date must not
# produce a thousand empty months).
MAX_CALENDAR_MONTHS = 120


def money(value: float) -> float:
    """A sum of money rounded to cents, as a plain float (0.0 instead of -0.0)."""
    return round(float(value), 2) + 0.0


def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    """``part / whole`` rounded, or None when the whole is zero (a share of nothing is undefined)."""
    if whole == 0:
        return None
    return round(float(part) / float(whole), digits)


def iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def key_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column as a categorical grouping key; blanks are reported under BLANK_LABEL, not dropped.

    Cleaning works on the distinct values only, and categorical keys make every later groupby cheap.
    """
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
    names = [BLANK_LABEL if pd.isna(u) or not str(u).strip() else str(u) for u in uniques]
    names.append(BLANK_LABEL)  # the slot for missing values (code -1)
    name_codes, categories = pd.factorize(pd.Series(names, dtype=object))
    key_codes = name_codes[np.where(codes < 0, len(names) - 1, codes)]
    keys = pd.Categorical.from_codes(key_codes, categories=categories)
    return pd.Series(keys, index=frame.index, name=column)


def distinct_values(frame: pd.DataFrame, column: str) -> int | None:
    """Distinct non-blank values of a text column, None when the file has no such column."""
    if column not in frame.columns:
        return None
    categories = key_column(frame, column).cat.categories
    return int(len(categories) - (BLANK_LABEL in categories))


def month_index(dates: pd.Series) -> np.ndarray:
    """Months as consecutive integers (year * 12 + month - 1): cheap to group and to step through."""
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype="int64")


def month_label(index: int) -> str:
    year, month0 = divmod(int(index), 12)
    return f"{year:04d}-{month0 + 1:02d}"


def ranked(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """A per-group table with whole-number line counts, largest ``by`` first (more lines first among
    equals, then first seen)."""
    table["lines"] = table["lines"].astype("int64")
    return table.sort_values([by, "lines"], ascending=False, kind="stable")


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts (index not included)."""
    return json_safe(table.to_dict(orient="records"))


def top_n_with_other(table: pd.DataFrame, n: int, additive: Sequence[str], key_name: str) -> dict[str, Any]:
    """The first ``n`` rows of an already-ranked table plus what the rest add up to.

    ``table`` is indexed by the group key; ``additive`` names the columns whose values may be summed
    for the remainder (counts, amounts), so totals over items and "other" equal the full total.
    """
    shown = table.iloc[:n]
    rest = table.iloc[n:]
    other: dict[str, Any] = {"groups": int(len(rest))}
    for column in additive:
        total = rest[column].sum()
        other[column] = int(total) if pd.api.types.is_integer_dtype(rest[column]) else money(total)
    return {
        "total_groups": int(len(table)),
        "shown": int(len(shown)),
        "items": records(shown.rename_axis(key_name).reset_index()),
        "other": other,
    }


def sheet(columns: Sequence[str], rows: Sequence[Sequence[Any]] | list[dict[str, Any]]) -> dict[str, Any]:
    """A tabular block ready to be written to a spreadsheet: column names and row value lists."""
    if rows and isinstance(rows[0], dict):
        rows = [[row.get(c) for c in columns] for row in rows]  # type: ignore[union-attr]
    return {"columns": list(columns), "rows": json_safe([list(r) for r in rows])}


def chart_series(labels: Sequence[Any], values: Sequence[Any]) -> dict[str, list[Any]]:
    return {"labels": json_safe(list(labels)), "values": json_safe(list(values))}
