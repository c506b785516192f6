"""Canonical frames for the duplicate tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def ledger(rows: list[tuple], columns: tuple[str, ...] = ("posting_date", "amount", "vendor", "invoice_number")):
    """A canonical frame from (posting_date, amount, text...) tuples; row_number is 1-based."""
    frame = pd.DataFrame(rows, columns=list(columns))
    frame.insert(0, "row_number", np.arange(1, len(frame) + 1, dtype="int64"))
    frame["posting_date"] = pd.to_datetime(frame["posting_date"])
    frame["amount"] = frame["amount"].astype("float64")
    for column in columns[2:]:
        frame[column] = pd.array(frame[column].tolist(), dtype="string")
    return frame
