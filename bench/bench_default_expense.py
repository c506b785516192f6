"""Time default_analytics and comprehensive_expense on a synthetic 1,000,000-row canonical ledger.

Prints wall time per stage, the JSON size of each stage's sections and the process's peak RSS.
Usage: .venv/bin/python bench/bench_default_expense.py [rows]
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.summaries import run_comprehensive_expense, run_default_analytics


def build_ledger(rows: int, seed: int = 7) -> pd.DataFrame:
    """A canonical frame with 10k vendors, 400 accounts (about half in the 5000-8999 expense range),
    300 users, 50 cost centers, two-line journal entries, a year of postings with times of day."""
    rng = np.random.default_rng(seed)
    account_codes = np.sort(rng.choice(np.arange(1000, 9999), size=400, replace=False))
    account_names = np.array(
        [f"Account {c} {'expense' if 5000 <= c <= 8999 else 'balance'}" for c in account_codes], dtype=object
    )
    account_index = rng.integers(0, len(account_codes), rows)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = rng.integers(0, 366 * 86400, rows)
    posting = start + seconds.astype("timedelta64[s]")
    entry = posting + rng.integers(0, 5 * 86400, rows).astype("timedelta64[s]")
    magnitude = np.round(rng.lognormal(6.0, 1.4, rows), 2)
    # Lines come in debit/credit pairs sharing a journal entry number, a few pairs off by cents.
    sign = np.where(np.arange(rows) % 2 == 0, 1.0, -1.0)
    magnitude[1::2] = magnitude[0::2][: rows // 2]
    magnitude[1::200] += 0.37
    users = np.array([f"user{u:03d}" for u in range(300)], dtype=object)
    vendors = np.array([f"Vendor {v:05d}" for v in range(10_000)], dtype=object)
    centers = np.array([f"CC{c:02d}" for c in range(50)], dtype=object)
    return pd.DataFrame(
        {
            "row_number": np.arange(1, rows + 1, dtype="int64"),
            "posting_date": pd.to_datetime(posting).astype("datetime64[ns]"),
            "amount": sign * magnitude,
            "entry_date": pd.to_datetime(entry).astype("datetime64[ns]"),
            "je_number": pd.array([f"JE{j:07d}" for j in np.arange(rows) // 2], dtype="str"),
            "account": pd.array(account_codes[account_index].astype(str), dtype="str"),
            "account_name": pd.array(account_names[account_index], dtype="str"),
            "user": pd.array(users[rng.zipf(1.6, rows) % len(users)], dtype="str"),
            "vendor": pd.array(vendors[rng.zipf(1.3, rows) % len(vendors)], dtype="str"),
            "cost_center": pd.array(centers[rng.integers(0, len(centers), rows)], dtype="str"),
        }
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    started = time.perf_counter()
    ledger = build_ledger(rows)
    print(f"built {rows:,} rows in {time.perf_counter() - started:.1f} s; peak RSS {peak_rss_mib():,.0f} MiB")
    for name, run in (
        ("default_analytics", run_default_analytics),
        ("comprehensive_expense", run_comprehensive_expense),
    ):
        started = time.perf_counter()
        result = run(ledger)
        elapsed = time.perf_counter() - started
        size = len(json.dumps(result.sections))
        print(
            f"{name}: {elapsed:.2f} s, status {result.status}, sections {size / 1024:,.0f} KiB, "
            f"summary {result.summary}, peak RSS {peak_rss_mib():,.0f} MiB"
        )


if __name__ == "__main__":
    main()
