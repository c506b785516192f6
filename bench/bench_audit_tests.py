"""Time of the audit tests on a synthetic 1M-row ledger (the one bench_anomalies builds, with a source
system and a document date added): the journal-entry tests, ending digits, Nigrini's further digit
tests, stratification, aging and a monetary unit sample, each alone and all together.

Usage: .venv/bin/python bench/bench_audit_tests.py [rows]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from bench_anomalies import build_ledger  # noqa: E402

from fintrace_pipeline.analytics.rules.common import RuleRun  # noqa: E402
from fintrace_pipeline.analytics.rules.digit_tests import check_digit_tests  # noqa: E402
from fintrace_pipeline.analytics.rules.ending_digits import check_ending_digit_rules  # noqa: E402
from fintrace_pipeline.analytics.rules.entry_tests import check_entry_tests  # noqa: E402
from fintrace_pipeline.analytics.rules.options import AnomalyDetectionOptions  # noqa: E402
from fintrace_pipeline.analytics.sampling import SamplingOptions, mus_sample  # noqa: E402
from fintrace_pipeline.analytics.summaries import DefaultAnalyticsOptions  # noqa: E402
from fintrace_pipeline.analytics.summaries.aging import aging  # noqa: E402
from fintrace_pipeline.analytics.summaries.stratification import stratification  # noqa: E402


def with_audit_columns(frame: pd.DataFrame, seed: int = 11) -> pd.DataFrame:
    """A source per line (5 % keyed by hand) and a document date 0-90 days before posting."""
    rng = np.random.default_rng(seed)
    sources = np.array(["AP interface", "Payroll", "Manual JE", "spreadsheet upload"], dtype=object)
    choice = rng.choice(4, size=len(frame), p=[0.75, 0.2, 0.03, 0.02])
    frame["source"] = pd.array(sources[choice], dtype="string")
    lag = pd.to_timedelta(rng.integers(-2, 90, len(frame)), unit="D")
    frame["document_date"] = (frame["posting_date"] - lag).to_numpy(dtype="datetime64[ns]")
    return frame


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    ledger = with_audit_columns(build_ledger(rows))
    anomaly = AnomalyDetectionOptions(period_close_date="2024-07-05", country="DE")
    summary = DefaultAnalyticsOptions(materiality=10_000.0)
    run = RuleRun(ledger)
    steps = {
        "journal-entry tests (period end, close, manual, keywords)": lambda: check_entry_tests(run, anomaly, "DE"),
        "ending digits per vendor and user": lambda: check_ending_digit_rules(run, anomaly),
        "second digit, last two, summation, number duplication": lambda: check_digit_tests(run, anomaly),
        "stratification (file, account, vendor)": lambda: stratification(ledger, summary, []),
        "aging": lambda: aging(ledger, summary),
        "monetary unit sample, n = 200": lambda: mus_sample(ledger, SamplingOptions(size=200, seed=1)),
    }
    print(f"{len(ledger):,} rows")
    total = 0.0
    for name, step in steps.items():
        start = time.perf_counter()
        step()
        elapsed = time.perf_counter() - start
        total += elapsed
        print(f"  {name:<66} {elapsed:6.2f} s")
    flags = sum(len(f) for f in run.flags)
    print(f"  {'all together':<66} {total:6.2f} s  ({flags:,} flags)")


if __name__ == "__main__":
    main()
