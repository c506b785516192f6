"""Canonical frames for the rule tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

ORDINARY_DATE = "2024-03-13"  # a Wednesday, no holiday
ORDINARY_AMOUNT = 123.45  # not round, not near a limit


def ledger(n: int | None = None, **columns) -> pd.DataFrame:
    """A canonical frame; unspecified required columns get ordinary values."""
    n = n or len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {
            "row_number": np.arange(1, n + 1, dtype="int64"),
            "posting_date": pd.to_datetime(columns.pop("posting_date", [ORDINARY_DATE] * n)),
            "amount": np.asarray(columns.pop("amount", [ORDINARY_AMOUNT] * n), dtype="float64"),
        }
    )
    for name, values in columns.items():
        if name == "entry_date":
            frame[name] = pd.to_datetime(values)
        else:
            frame[name] = pd.array(values, dtype="string")
    return frame
