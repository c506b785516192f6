"""Parse speed of ingest beside plain pandas on the same 1,000,000-row CSV, in one run.

    .venv/bin/python bench/bench_ingest_parse.py [--rows 1000000]

Prints the time of ``pandas.read_csv(path, dtype=str)``, of ``ingest_file`` (sniffing, header
mapping, amount/date parsing, validation), their ratio (target: within ~1.5x) and the peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest import ingest_file


def write_ledger(path: Path, rows: int, seed: int = 7, ragged_every: int = 0) -> None:
    """A general-ledger export with the usual mess: US dates, thousands separators, (negatives)."""
    rng = np.random.default_rng(seed)
    accounts = np.array(["6000", "6100", "6200", "7000", "1200", "2000", "4000"])
    names = np.array(["Travel", "Meals", "Office supplies", "Consulting", "Receivables", "Payables", "Revenue"])
    users = np.array(["jsmith", "adoe", "mlee", "kchan", "rpatel", "tnguyen", "bwhite", "system"])
    vendors = np.array(["Acme Corp", "Globex Ltd", "Initech", "Umbrella Supplies", "Stark Industries", ""])
    posting = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, rows), unit="D")
    entry = posting + pd.to_timedelta(rng.integers(0, 3 * 86400, rows), unit="s")
    cents = np.round(rng.lognormal(6, 1.5, rows) * 100).astype(np.int64)
    whole = pd.Series(cents // 100)
    text = whole.map("{:,}".format) + "." + pd.Series(cents % 100).astype(str).str.zfill(2)
    negative = rng.random(rows) < 0.3
    amount = text.where(~negative, "(" + text + ")")
    account = rng.integers(0, len(accounts), rows)
    numbers = pd.Series(np.arange(1, rows + 1)).astype(str)
    frame = pd.DataFrame(
        {
            "Transaction ID": "T" + numbers,
            "JE Number": "JE-" + pd.Series(np.arange(rows) // 3 + 1).astype(str),
            "Posting Date": posting.strftime("%m/%d/%Y"),
            "Entry Date": entry.strftime("%Y-%m-%d %H:%M:%S"),
            "GL Account": accounts[account],
            "Account Name": names[account],
            "Entered By": users[rng.integers(0, len(users), rows)],
            "Vendor Name": vendors[rng.integers(0, len(vendors), rows)],
            "Invoice #": "INV" + pd.Series(rng.integers(10000, 99999, rows)).astype(str),
            "Description": "Payment for order " + pd.Series(rng.integers(1, 50000, rows)).astype(str),
            "Amount": amount,
            "Cost Centre": "CC" + pd.Series(rng.integers(100, 120, rows)).astype(str),
        }
    )
    frame.to_csv(path, index=False)
    if ragged_every:
        # Every n-th data row gets one cell too many: ingest must reject exactly those rows.
        lines = path.read_text().splitlines(keepends=True)
        for i in range(ragged_every, len(lines), ragged_every):
            lines[i] = lines[i].rstrip("\n") + ",extra\n"
        path.write_text("".join(lines))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ragged-every", type=int, default=0, help="give every n-th row an extra cell")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each reader; the best time is shown")
    parser.add_argument("--write-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_only:
        write_ledger(args.write_only, args.rows, ragged_every=args.ragged_every)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        # Generated in a child process so this process's peak memory is the ingest's own.
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--rows",
                str(args.rows),
                "--ragged-every",
                str(args.ragged_every),
                "--write-only",
                str(path),
            ],
            check=True,
        )
        print(f"file: {args.rows:,} rows, {path.stat().st_size / 2**20:.0f} MB")

        # The machine is shared: the best of a few runs is the least noisy figure for each reader.
        ingest_seconds = pandas_seconds = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = ingest_file(path, max_decompressed_bytes=2**34, max_rows=10 * args.rows)
            ingest_seconds = min(ingest_seconds, time.perf_counter() - started)
            loaded, rejected = len(result.transactions), len(result.rejected)
            del result
        ingest_peak = peak_rss_mb()
        for _ in range(args.repeat):
            started = time.perf_counter()
            # pandas cannot load ragged rows at all; skipping them is the closest like-for-like.
            frame = pd.read_csv(path, dtype=str, on_bad_lines="skip" if args.ragged_every else "error")
            pandas_seconds = min(pandas_seconds, time.perf_counter() - started)
            del frame

    print(f"best of {args.repeat} runs each")
    print(f"pandas.read_csv(dtype=str): {pandas_seconds:6.2f} s")
    print(f"ingest_file:                {ingest_seconds:6.2f} s  ({loaded:,} loaded, {rejected:,} rejected)")
    print(f"ratio ingest / pandas:      {ingest_seconds / pandas_seconds:6.2f}x")
    print(f"peak RSS of the ingest:     {ingest_peak:6.0f} MB")


if __name__ == "__main__":
    main()
