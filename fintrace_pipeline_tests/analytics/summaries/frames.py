"""Columns for the summary tests."""

from __future__ import annotations

import pandas as pd


def text_column(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")
