"""Small canonical frames with known structure for the ML tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def ledger(rows: int = 600, seed: int = 3) -> pd.DataFrame:
    """20 users each with their own typical amount, 10 vendors, 5 accounts, office hours over 60 days."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, 20, rows)
    vendors = rng.integers(0, 10, rows)
    accounts = rng.integers(0, 5, rows)
    typical = 100.0 * (1 + np.arange(20))
    amount = np.round(typical[users] * rng.uniform(0.9, 1.1, rows), 2)
    day = rng.integers(0, 60, rows)
    second_of_day = rng.integers(9 * 3600, 17 * 3600, rows)
    posting = np.datetime64("2024-03-01T00:00:00", "s") + (day * 86_400 + second_of_day).astype("timedelta64[s]")
    return pd.DataFrame(
        {
            "row_number": np.arange(1, rows + 1, dtype=np.int64),
            "transaction_id": pd.array([f"T{i:05d}" for i in range(rows)], dtype="string"),
            "posting_date": posting.astype("datetime64[ns]"),
            "amount": amount,
            "user": pd.array([f"U{u}" for u in users], dtype="string"),
            "vendor": pd.array([f"V{v}" for v in vendors], dtype="string"),
            "account": pd.array([f"A{a}" for a in accounts], dtype="string"),
        }
    )


def with_planted_outliers(frame: pd.DataFrame, positions: list[int], factor: float = 20.0) -> pd.DataFrame:
    """The rows at ``positions`` get ``factor`` times their amount (far above their user's habit)."""
    out = frame.copy()
    column = out.columns.get_loc("amount")
    out.iloc[positions, column] = out["amount"].iloc[positions].to_numpy() * factor
    return out
