"""Time and peak memory of the anomaly_detection stage on a synthetic 1M-row canonical ledger.

Usage: .venv/bin/python bench/bench_anomalies.py [rows]
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.rules import run_anomaly_detection


def build_ledger(rows: int, seed: int = 7) -> pd.DataFrame:
    """Balanced journal entries of 2–4 lines over a year, 10k accounts, 400 users, 5k vendors."""
    rng = np.random.default_rng(seed)
    lines_per_entry = rng.integers(2, 5, size=rows // 2)
    entry_of_line = np.repeat(np.arange(len(lines_per_entry)), lines_per_entry)[:rows]
    entries = int(entry_of_line[-1]) + 1
    amounts = np.round(np.exp(rng.normal(6.0, 1.8, rows)), 2)
    round_rows = rng.random(rows) < 0.01
    amounts[round_rows] = rng.integers(1, 60, round_rows.sum()) * 1000.0
    # Last line of each entry balances it (credits negative), except a few deliberately broken entries.
    is_last = np.r_[entry_of_line[1:] != entry_of_line[:-1], True]
    sums = np.bincount(entry_of_line, weights=np.where(is_last, 0.0, amounts), minlength=entries)
    amounts[is_last] = -np.round(sums[entry_of_line[is_last]], 2)
    broken = is_last & (rng.random(rows) < 0.002)
    amounts[broken] += 10.0
    entry_day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, entries), unit="D")
    posting = entry_day[entry_of_line]
    # Keyed in a few days after posting, mostly during office hours (about 2 % after hours).
    lag_days = np.floor(rng.exponential(3.0, entries))
    clock = np.clip(rng.normal(12.5 * 3600, 2.3 * 3600, entries), 60, 86_340)
    lag_seconds = (lag_days * 86_400 + clock).astype("int64")
    entered = posting + pd.to_timedelta(lag_seconds[entry_of_line], unit="s")
    popularity = rng.lognormal(0.0, 1.5, 10_000)
    users = np.array([f"user{i:03d}" for i in range(400)], dtype=object)
    user_index = rng.integers(0, 400, entries)
    user_of_entry = users[user_index]
    # Most lines go to one of the poster's 40 usual accounts, the rest anywhere in the chart.
    usual_accounts = rng.choice(10_000, size=(400, 40), p=popularity / popularity.sum())
    anywhere = rng.choice(10_000, size=rows, p=popularity / popularity.sum())
    usual = usual_accounts[user_index[entry_of_line], rng.integers(0, 40, rows)]
    account_ids = np.where(rng.random(rows) < 0.9, usual, anywhere) + 1000
    approver_of_entry = np.where(rng.random(entries) < 0.01, user_of_entry, users[rng.integers(0, 400, entries)])
    vendors = np.array([f"Vendor {i:04d}" for i in range(5000)], dtype=object)
    descriptions = np.array(["Invoice", "Accrual", "Payroll", "Reclass", "", "Freight"], dtype=object)
    je_numbers = np.array([f"JE-{i:07d}" for i in range(entries)], dtype=object)
    keep_entry = rng.random(entries) > 0.001  # drop a few entries to create numbering gaps
    frame = pd.DataFrame(
        {
            "row_number": np.arange(1, rows + 1, dtype="int64"),
            "posting_date": np.asarray(posting, dtype="datetime64[ns]"),
            "amount": amounts,
            "entry_date": np.asarray(entered, dtype="datetime64[ns]"),
            "je_number": pd.array(je_numbers[entry_of_line], dtype="string"),
            "account": pd.array(account_ids.astype(str), dtype="string"),
            "user": pd.array(user_of_entry[entry_of_line], dtype="string"),
            "approver": pd.array(approver_of_entry[entry_of_line], dtype="string"),
            "vendor": pd.array(vendors[rng.integers(0, 5000, rows)], dtype="string"),
            "description": pd.array(descriptions[rng.integers(0, len(descriptions), rows)], dtype="string"),
        }
    )
    return frame[keep_entry[entry_of_line]].reset_index(drop=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    start = time.perf_counter()
    ledger = build_ledger(rows)
    print(f"built {len(ledger):,} rows in {time.perf_counter() - start:.1f} s; peak RSS {peak_rss_mb():,.0f} MB")
    start = time.perf_counter()
    result = run_anomaly_detection(ledger)
    elapsed = time.perf_counter() - start
    print(f"run_anomaly_detection: {elapsed:.1f} s; peak RSS {peak_rss_mb():,.0f} MB")
    print(
        f"flags {len(result.flags):,}; flagged rows {result.summary['flagged_transactions']:,}; "
        f"high risk {result.summary['high_risk_transactions']:,}; skipped {result.skipped}"
    )
    print(result.flags["rule_code"].value_counts().to_string())
    import json

    sizes = {k: len(json.dumps(v)) for k, v in result.sections.items()}
    print("section sizes (bytes of JSON):", sizes)


if __name__ == "__main__":
    main()
