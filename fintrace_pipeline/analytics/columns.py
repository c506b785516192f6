"""Reading canonical columns: text without blanks, days as ISO strings, and whether the columns a check
reads are there to be read."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def text_values(series: pd.Series) -> pd.Series:
    """A text column as stripped strings with blanks turned into NA."""
    stripped = series.astype("string").str.strip()
    return stripped.mask(stripped == "")


def iso_days(values: np.ndarray) -> np.ndarray:
    """datetime64 values (any unit) as 'YYYY-MM-DD' strings, vectorised."""
    return np.datetime_as_string(np.asarray(values).astype("datetime64[D]"), unit="D")


def has_values(frame: pd.DataFrame, column: str) -> bool:
    """Whether a present column holds a value (blank text is none). A frame without rows has nothing
    to miss, so there every present column counts as filled."""
    values = frame[column]
    if len(values) == 0:
        return True
    if pd.api.types.is_string_dtype(values) or values.dtype == object:
        return bool(text_values(values).notna().any())
    return bool(values.notna().any())


def unusable_reason(frame: pd.DataFrame, columns: Sequence[str], allow_empty: bool = False) -> str | None:
    """Why a check that reads ``columns`` cannot run on ``frame`` (absent or, unless ``allow_empty``,
    empty columns), or None when it can."""
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        return f"no {' or '.join(absent)} column"
    empty = [] if allow_empty else [c for c in columns if not has_values(frame, c)]
    if empty:
        return f"{' and '.join(empty)} column is empty"
    return None
