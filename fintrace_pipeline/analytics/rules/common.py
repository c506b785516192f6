"""Small helpers shared by the anomaly rule families: building flag frames and formatting values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.findings import FLAG_COLUMNS, empty_flags
from fintrace_pipeline.rules import RULES


def build_flags(
    row_numbers: np.ndarray | Sequence[int],
    rule_code: str,
    reasons: Sequence[str],
    details: Sequence[dict[str, Any]],
    severity: np.ndarray | Sequence[str] | str | None = None,
    group_id: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """One flag row per row number, in the FLAG_COLUMNS layout (object columns, like ``empty_flags``)."""
    rows = np.asarray(row_numbers, dtype="int64")
    n = len(rows)
    if n == 0:
        return empty_flags()
    if severity is None:
        severity = RULES[rule_code].severity
    if isinstance(severity, str):
        severity_values = np.full(n, severity, dtype=object)
    else:
        severity_values = np.asarray(severity, dtype=object)
    groups = np.full(n, None, dtype=object) if group_id is None else np.asarray(group_id, dtype=object)
    details_values = np.empty(n, dtype=object)
    details_values[:] = list(details)
    return pd.DataFrame(
        {
            "row_number": rows,
            "rule_code": np.full(n, rule_code, dtype=object),
            "severity": severity_values,
            "reason": np.asarray(reasons, dtype=object),
            "details": details_values,
            "group_id": groups,
        },
        columns=list(FLAG_COLUMNS),
    )


def concat_flags(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    non_empty = [f for f in frames if len(f)]
    if not non_empty:
        return empty_flags()
    flags = pd.concat(non_empty, ignore_index=True)
    for column in FLAG_COLUMNS[1:]:
        flags[column] = flags[column].astype(object)
    return flags


def money(value: float) -> str:
    return f"{value:,.2f}"


def iso_days(values: np.ndarray) -> np.ndarray:
    """datetime64 values (any unit) as 'YYYY-MM-DD' strings, vectorised."""
    return np.datetime_as_string(np.asarray(values).astype("datetime64[D]"), unit="D")


def text_values(series: pd.Series) -> pd.Series:
    """A text column as stripped strings with blanks turned into NA."""
    stripped = series.astype("string").str.strip()
    return stripped.mask(stripped == "")
