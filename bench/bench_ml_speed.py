"""Speed and memory of the ML stage on a synthetic 1,000,000-row ledger (plus rule flags).

    .venv/bin/python bench/bench_ml_speed.py [--rows N]

Prints the wall time of feature building, of the whole stage, each model's own duration and the
peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from fintrace_pipeline.ml.features import build_features
from fintrace_pipeline.ml.run import run_ml_ensemble


def synthetic_ledger(rows: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    users = rng.integers(0, 5_000, rows)
    vendors = rng.integers(0, 20_000, rows)
    accounts = rng.integers(0, 300, rows)
    user_scale = rng.lognormal(4.0, 1.0, 5_000)
    amount = np.round(user_scale[users] * rng.lognormal(0.0, 0.5, rows), 2)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = rng.integers(0, 365 * 86_400, rows)
    transactions = pd.DataFrame(
        {
            "row_number": np.arange(1, rows + 1, dtype=np.int64),
            "transaction_id": pd.array([f"T{i}" for i in range(rows)], dtype="string"),
            "posting_date": (start + seconds.astype("timedelta64[s]")).astype("datetime64[ns]"),
            "amount": amount,
            "user": pd.array(np.char.add("U", users.astype(str)), dtype="string"),
            "vendor": pd.array(np.char.add("V", vendors.astype(str)), dtype="string"),
            "account": pd.array(np.char.add("A", accounts.astype(str)), dtype="string"),
        }
    )
    flagged = rng.choice(rows, size=rows // 50, replace=False) + 1
    flags = pd.DataFrame(
        {
            "row_number": flagged,
            "rule_code": rng.choice(
                ["WEEKEND_POSTING", "ROUND_AMOUNT", "USER_AMOUNT_OUTLIER", "DUP_EXACT"], len(flagged)
            ),
            "severity": rng.choice(["low", "medium", "high"], len(flagged), p=[0.6, 0.3, 0.1]),
            "reason": "synthetic finding",
            "details": None,
            "group_id": None,
        }
    )
    flags["analytics_type"] = np.where(flags["rule_code"] == "DUP_EXACT", "duplicate_analysis", "anomaly_detection")
    return transactions, flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    started = time.perf_counter()
    transactions, flags = synthetic_ledger(args.rows)
    print(f"synthetic data: {args.rows:,} rows, {len(flags):,} flags, built in {time.perf_counter() - started:.1f} s")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    features = build_features(transactions, flags)
    print(
        f"features alone: {time.perf_counter() - started:.1f} s, {features.matrix.shape[1]} columns, "
        f"detectors use {len(features.detector_names)}"
    )
    del features

    started = time.perf_counter()
    outcome = run_ml_ensemble(transactions, flags)
    total = time.perf_counter() - started
    for model in outcome.models:
        duration = getattr(model, "processing_duration", None)
        shown = f"{duration:.1f} s" if duration is not None else "-"
        print(
            f"  {model.model_type:20s} {model.status:9s} {shown:>8s}  anomalies={model.anomalies_detected} "
            f"risk_score={model.risk_score}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"run_ml_ensemble: {total:.1f} s for {args.rows:,} rows (target 40 s)")
    print(f"peak RSS {peak:,.0f} MiB (after building the input: {rss_before:,.0f} MiB; target < 3,072 MiB)")


if __name__ == "__main__":
    main()
