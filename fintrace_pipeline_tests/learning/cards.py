"""Small card-payment files with a learnable history: some terminals are compromised for weeks, and
every payment at a compromised terminal in that time is fraud."""

from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2024-05-01")
COMPROMISED = {"T01": (4, 40), "T02": (12, 40), "T03": (22, 40)}  # terminal -> (first day, last day)
MAPPING = {
    "transaction_id": "TX_ID",
    "posting_date": "TX_DATETIME",
    "amount": "TX_AMOUNT",
    "user": "CUSTOMER",
    "vendor": "TERMINAL_ID",
}


def payments(days: int = 36, per_day: int = 90, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = days * per_day
    day = np.repeat(np.arange(days), per_day)
    terminals = np.array([f"T{i:02d}" for i in range(1, 31)])
    frame = pd.DataFrame(
        {
            "TX_ID": np.arange(1, n + 1),
            "TX_DATETIME": START
            + pd.to_timedelta(day, unit="D")
            + pd.to_timedelta(rng.uniform(0, 86_000, n), unit="s"),
            "CUSTOMER": [f"C{c:03d}" for c in rng.integers(1, 120, n)],
            "TERMINAL_ID": rng.choice(terminals, n),
            "TX_AMOUNT": rng.lognormal(3.5, 0.6, n).round(2),
        }
    ).sort_values("TX_DATETIME", ignore_index=True)
    frame["TX_ID"] = np.arange(1, n + 1)
    days_in = (frame["TX_DATETIME"] - START).dt.days
    fraud = np.zeros(n, dtype=int)
    for terminal, (first, last) in COMPROMISED.items():
        fraud |= ((frame["TERMINAL_ID"] == terminal) & days_in.between(first, last)).to_numpy()
    frame["FRAUD"] = fraud
    frame["TX_DATETIME"] = frame["TX_DATETIME"].dt.strftime("%Y-%m-%d %H:%M:%S")
    return frame


def between(frame: pd.DataFrame, first_day: int, last_day: int) -> pd.DataFrame:
    days_in = (pd.to_datetime(frame["TX_DATETIME"]) - START).dt.days
    return frame[days_in.between(first_day, last_day)].reset_index(drop=True)


def write(frame: pd.DataFrame, path: Path, labels: bool) -> Path:
    (frame if labels else frame.drop(columns=["FRAUD"])).to_csv(path, index=False)
    return path
