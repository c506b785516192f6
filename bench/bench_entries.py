"""The duplicate_analysis stage at the level of journal entries, on generated double-entry ledgers.

For each seed: generate a ledger (``fintrace generate``: vendor and invoice on both sides of an
invoice, payments and reversals as entries of their own), write it as CSV, ingest it as the pipeline
does and run the stage. Prints, per injected duplicate kind, the share of its injected entries (the
later entry of each pair, the copy) that carry a finding of that kind; the duplicate groups whose
members all lie inside one entry (must be 0); the findings on entries that hold no injected anomaly;
the lines flagged medium or high as a share of all lines; and the stage's time.

    .venv/bin/python bench/bench_entries.py [--rows 200000] [--seeds 11 12]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.duplicates import run_duplicate_analysis
from fintrace_pipeline.generate import DUPLICATE_KINDS, generate_ledger, write_ledger
from fintrace_pipeline.ingest import ingest_file

GOAL = 0.9


def ingested(rows: int, seed: int, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    generated = generate_ledger(rows, seed=seed)
    path = folder / f"ledger-{seed}.csv"
    write_ledger(generated, path)
    transactions = ingest_file(path, max_decompressed_bytes=2**32, max_rows=10**8).transactions
    posted = generated.ledger["Posting Date"].to_numpy()[generated.labels["row_number"].to_numpy() - 1]
    return transactions, generated.labels.assign(posted=posted)


def found_share(labels: pd.DataFrame, flags: pd.DataFrame, entry_of_row: pd.Series) -> pd.DataFrame:
    """Per duplicate kind: injected copies, how many carry a finding of that kind, and the share."""
    out = []
    for kind in DUPLICATE_KINDS:
        cases = labels[labels["kind"] == kind]
        copies = cases.sort_values(["posted", "je_number"]).groupby("group")["je_number"].last()
        flagged = set(entry_of_row.loc[flags.loc[flags["rule_code"] == kind, "row_number"]])
        found = int(copies.isin(flagged).sum())
        out.append({"kind": kind, "injected": len(copies), "found": found, "share": found / max(len(copies), 1)})
    return pd.DataFrame(out).set_index("kind")


def groups_inside_one_entry(flags: pd.DataFrame, entry_of_row: pd.Series) -> int:
    """Duplicate groups whose members (the flagged lines and the twins they are reported against) all
    belong to one journal entry."""
    twins = flags["details"].map(lambda d: d["twin_row_number"])
    members = pd.concat(
        [
            pd.DataFrame({"group": flags["group_id"], "entry": entry_of_row.loc[flags["row_number"]].to_numpy()}),
            pd.DataFrame({"group": flags["group_id"], "entry": entry_of_row.loc[twins].to_numpy()}),
        ]
    )
    return int((members.groupby("group")["entry"].nunique() == 1).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12])
    args = parser.parse_args()

    shares = []
    with tempfile.TemporaryDirectory(prefix="fintrace-entries-") as folder:
        for seed in args.seeds:
            transactions, labels = ingested(args.rows, seed, Path(folder))
            start = time.perf_counter()
            result = run_duplicate_analysis(transactions)
            elapsed = time.perf_counter() - start
            flags = result.flags
            entry_of_row = pd.Series(transactions["je_number"].to_numpy(), index=transactions["row_number"].to_numpy())
            share = found_share(labels, flags, entry_of_row)
            shares.append(share.assign(seed=seed))
            serious = flags["severity"].isin(["medium", "high"]).to_numpy()
            labelled_entries = set(labels["je_number"])
            flagged_entries = entry_of_row.loc[flags["row_number"]].to_numpy()
            clean = ~np.isin(flagged_entries, list(labelled_entries))
            print(f"seed {seed}: {len(transactions):,} lines, {transactions['je_number'].nunique():,} entries")
            print(f"  stage time                         {elapsed:.2f} s")
            print(share.to_string(formatters={"share": "{:.1%}".format}))
            print(f"  groups inside one entry            {groups_inside_one_entry(flags, entry_of_row)}")
            print(
                f"  lines flagged medium or high       {flags.loc[serious, 'row_number'].nunique():,} "
                f"({flags.loc[serious, 'row_number'].nunique() / len(transactions):.2%} of all lines)"
            )
            print(
                f"  lines flagged at any severity      {flags['row_number'].nunique():,} "
                f"({flags['row_number'].nunique() / len(transactions):.2%})"
            )
            print(
                f"  findings on entries without an injected anomaly: {int(clean.sum()):,} lines in "
                f"{len(set(flagged_entries[clean])):,} entries {flags.loc[clean, 'rule_code'].value_counts().to_dict()}"
            )
            print(f"  candidates {result.sections['risk_assessment']['candidates']}")
    worst = pd.concat(shares).groupby("kind")["share"].min()
    verdict = "met" if (worst >= GOAL).all() else "NOT met"
    print(
        f"lowest share per kind over seeds (goal >= {GOAL:.0%}, {verdict}): "
        + ", ".join(f"{k} {v:.1%}" for k, v in worst.items())
    )


if __name__ == "__main__":
    main()
