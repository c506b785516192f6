"""Time and peak memory of the duplicate_analysis stage on a generated 1M-row ledger, and how well its
flags match the duplicates the generator injected.

Usage: .venv/bin/python bench/bench_duplicates.py [rows] [seed]
       .venv/bin/python bench/bench_duplicates.py stress [rows]

``stress`` instead builds a hostile payments export: every line has a vendor (10k look-alike names),
invoice numbers come from a small range and half the amounts from seven values, so the blocks the
tests sort into are large and the name-variant test has millions of name pairs to consider.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.duplicates import run_duplicate_analysis
from fintrace_pipeline.generate import generate_ledger

CANONICAL_NAMES = {
    "Transaction ID": "transaction_id",
    "JE Number": "je_number",
    "Posting Date": "posting_date",
    "Entry Date": "entry_date",
    "GL Account": "account",
    "Account Name": "account_name",
    "Entered By": "user",
    "Approved By": "approver",
    "Vendor Name": "vendor",
    "Invoice #": "invoice_number",
    "Description": "description",
    "Cost Center": "cost_center",
    "Currency": "currency",
}


def canonical_frame(ledger: pd.DataFrame) -> pd.DataFrame:
    """The generated export in canonical columns (what ingest would produce from it)."""
    frame = pd.DataFrame({"row_number": np.arange(1, len(ledger) + 1, dtype="int64")})
    frame["posting_date"] = ledger["Posting Date"].to_numpy(dtype="datetime64[ns]")
    debit = ledger["Debit"].fillna(0.0).to_numpy(dtype="float64")
    credit = ledger["Credit"].fillna(0.0).to_numpy(dtype="float64")
    frame["amount"] = np.round(debit - credit, 2)
    for header, name in CANONICAL_NAMES.items():
        if name in ("posting_date",):
            continue
        if name == "entry_date":
            frame[name] = ledger[header].to_numpy(dtype="datetime64[ns]")
        else:
            frame[name] = ledger[header].astype("string")
    return frame


def stress_frame(rows: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    letters = np.array(list("ABCDE"))
    vendors = np.array(
        ["".join(rng.choice(letters, 12)) + (" Ltd" if i % 3 else " Inc") for i in range(10_000)], dtype=object
    )
    invoices = np.array([f"INV-{i:04d}" for i in range(5_000)], dtype=object)
    amounts = rng.choice([100.0, 250.0, 500.0, 1000.0, 1500.0, 2000.0, 5000.0], rows)
    free = rng.random(rows) < 0.5
    amounts[free] = np.round(np.exp(rng.normal(6.0, 1.5, int(free.sum()))), 2)
    amounts *= np.where(rng.random(rows) < 0.05, -1.0, 1.0)
    descriptions = np.where(rng.random(rows) < 0.01, "Reversal of payment", "Payment")
    return pd.DataFrame(
        {
            "row_number": np.arange(1, rows + 1, dtype="int64"),
            "posting_date": (
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, rows), unit="D")
            ).to_numpy(dtype="datetime64[ns]"),
            "amount": amounts,
            "vendor": pd.array(vendors[rng.integers(0, len(vendors), rows)], dtype="string"),
            "invoice_number": pd.array(invoices[rng.integers(0, len(invoices), rows)], dtype="string"),
            "description": pd.array(descriptions, dtype="string"),
        }
    )


def run_stress(rows: int) -> None:
    transactions = stress_frame(rows)
    start = time.perf_counter()
    result = run_duplicate_analysis(transactions)
    elapsed = time.perf_counter() - start
    print(f"stress run_duplicate_analysis on {rows:,} rows: {elapsed:.2f} s; peak RSS {peak_rss_mb():,.0f} MB")
    print(f"summary: {result.summary}")
    print(result.flags["rule_code"].value_counts().to_dict())
    print(f"section sizes (bytes of JSON): { {k: len(json.dumps(v)) for k, v in result.sections.items()} }")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "stress":
        run_stress(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    start = time.perf_counter()
    generated = generate_ledger(rows, seed=seed)
    transactions = canonical_frame(generated.ledger)
    del generated.ledger
    print(
        f"generated {len(transactions):,} rows in {time.perf_counter() - start:.1f} s; peak RSS {peak_rss_mb():,.0f} MB"
    )

    start = time.perf_counter()
    result = run_duplicate_analysis(transactions)
    elapsed = time.perf_counter() - start
    print(f"run_duplicate_analysis: {elapsed:.2f} s; peak RSS {peak_rss_mb():,.0f} MB")
    print(f"summary: {result.summary}")
    print(f"candidates: {result.sections['risk_assessment']['candidates']}")
    sizes = {k: len(json.dumps(v)) for k, v in result.sections.items()}
    print(f"section sizes (bytes of JSON): {sizes}")

    # Recall: of each injected pair, the later-posted line should carry that code. Precision: flags of a code
    # on rows not labelled with it.
    labels = generated.labels[generated.labels["kind"].str.startswith("DUP_")]
    flags = result.flags
    print(f"{'code':34} {'injected':>8} {'found':>6} {'flags':>6} {'unlabelled':>10}")
    for code, labelled in labels.groupby("kind"):
        posted = transactions["posting_date"].to_numpy()[labelled["row_number"].to_numpy() - 1]
        ordered = labelled.assign(posted=posted).sort_values(["posted", "row_number"])
        later = ordered.groupby("group")["row_number"].last()
        coded = flags[flags["rule_code"] == code]
        found = int(later.isin(coded["row_number"]).sum())
        unlabelled = int((~coded["row_number"].isin(labelled["row_number"])).sum())
        print(f"{code:34} {len(later):8,} {found:6,} {len(coded):6,} {unlabelled:10,}")
    other = flags[~flags["rule_code"].isin(labels["kind"].unique())]
    print("flags of codes not injected:", other["rule_code"].value_counts().to_dict())


if __name__ == "__main__":
    main()
