"""How well the stored journal-entry scores rank the entries of a generated ledger with injected anomalies.

For each seed: generates a double-entry ledger (``generate_ledger``), writes it as CSV, processes it
through the Dagster job in this process (``process_file``, SQLite results database in a scratch folder;
the labels are never shown to it), then reads back what the job stored and prints:

- entry-level average precision of ``entry_scores.risk_score`` and the recall among the top 2 % of
  entries (an entry is anomalous when any of its lines is labelled), beside the recall the top 2 %
  could reach at most (when more than 2 % of entries are anomalous), and the same two figures for
  the entry's highest line risk score (the line view's ranking) as a baseline;
- per injected kind: its entries, the share whose stored ``reasons`` name the matching finding (the
  rule code of the kind, or for the two kinds the generator calls ML-only the history rule that
  tests them), and their median entry risk;
- the share of lines with a medium- or high-severity finding, and of lines with any finding;
- duplicate groups whose members all lie in one entry.

Entries are read from the stored transactions (row number -> je_number) and labels from
``generate_ledger(...).labels`` (row_number, kind), so the figures follow the generator as it changes.

    .venv/bin/python bench/bench_entry_ranking.py [--rows 100000] [--seeds 11 12]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from dagster import DagsterInstance
from sklearn.metrics import average_precision_score
from sqlalchemy import select

from fintrace_pipeline.db import migrate
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import entry_scores, transaction_flags, transaction_scores, transactions
from fintrace_pipeline.findings import LIST_SEPARATOR
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings

TOP_SHARE = 0.02
# The generator's lower-case kinds have no rule code of their own; these findings test them.
FINDING_OF_KIND = {"amount_drift": "USER_AMOUNT_SHIFT", "vendor_burst": "VENDOR_VOLUME_SPIKE"}


def process(rows: int, seed: int, work: Path):
    """Generate, write and process one ledger; (its labels, what the job stored)."""
    var = work / "var"
    (var / "dagster").mkdir(parents=True)
    # The job's steps read their settings from the environment.
    os.environ.update(
        {
            "FINTRACE_VAR_DIR": str(var),
            "FINTRACE_DATABASE_URL": f"sqlite:///{var / 'fintrace.db'}",
            "DAGSTER_HOME": str(var / "dagster"),
        }
    )
    settings = get_settings()
    engine = get_engine(settings.database_url)
    migrate.upgrade(engine)
    generated = generate_ledger(rows, seed=seed)
    path = work / f"ledger_{seed}.csv"
    write_ledger(generated, path)
    started = time.perf_counter()
    outcome = process_file(path, settings, instance=DagsterInstance.ephemeral())
    seconds = time.perf_counter() - started
    status = outcome.summary["job"]["status"]
    if status != "COMPLETED":
        raise SystemExit(f"seed {seed}: job {status}: {outcome.summary['job']['error_message']}")
    return generated.labels, stored_results(engine, outcome.data_file_id, outcome.job_id), seconds


def stored_results(engine, data_file_id, job_id) -> dict[str, pd.DataFrame]:
    def read(query) -> pd.DataFrame:
        with engine.connect() as connection:
            result = connection.execute(query)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    t, f, s, e = transactions, transaction_flags, transaction_scores, entry_scores
    return {
        "lines": read(select(t.c.row_number, t.c.je_number).where(t.c.data_file_id == data_file_id)),
        "flags": read(
            select(f.c.row_number, f.c.rule_code, f.c.severity, f.c.analytics_type, f.c.group_id, f.c.details).where(
                f.c.processing_job_id == job_id
            )
        ),
        "scores": read(select(s.c.row_number, s.c.risk_score).where(s.c.processing_job_id == job_id)),
        "entries": read(
            select(e.c.je_number, e.c.risk_score, e.c.line_count, e.c.reasons).where(e.c.processing_job_id == job_id)
        ),
    }


def recall_at(positive: np.ndarray, scores: np.ndarray, share: float) -> float:
    top = max(1, int(round(share * len(scores))))
    chosen = np.argsort(-scores, kind="stable")[:top]
    return float(positive[chosen].sum() / max(positive.sum(), 1))


def evaluate(labels: pd.DataFrame, stored: dict[str, pd.DataFrame]) -> dict:
    lines, flags, entries = stored["lines"], stored["flags"], stored["entries"]
    entry_of = lines.set_index("row_number")["je_number"]
    labels = labels.assign(je_number=entry_of.reindex(labels["row_number"].to_numpy()).to_numpy())
    anomalous = set(labels["je_number"].dropna())
    positive = entries["je_number"].isin(anomalous).to_numpy()
    risk = entries["risk_score"].to_numpy(dtype=np.float64)

    line_risk = stored["scores"].assign(je_number=entry_of.reindex(stored["scores"]["row_number"]).to_numpy())
    highest_line = line_risk.groupby("je_number")["risk_score"].max().reindex(entries["je_number"]).to_numpy()

    reasons = entries.set_index("je_number")["reasons"].fillna("").map(lambda r: set(r.split(LIST_SEPARATOR)))
    entry_risk = entries.set_index("je_number")["risk_score"]
    kinds = []
    for kind, group in labels.groupby("kind"):
        numbers = group["je_number"].dropna().unique()
        finding = FINDING_OF_KIND.get(kind, kind)
        named = np.mean([finding in reasons[n] for n in numbers]) if len(numbers) else np.nan
        kinds.append(
            {
                "kind": kind,
                "entries": len(numbers),
                "reasons name it": named,
                "median entry risk": float(entry_risk.reindex(numbers).median()),
            }
        )

    serious = flags.loc[flags["severity"].isin(("medium", "high")), "row_number"].nunique()
    return {
        "lines": len(lines),
        "entries": len(entries),
        "anomalous entries": len(anomalous),
        "AP": average_precision_score(positive, risk),
        "recall@2%": recall_at(positive, risk, TOP_SHARE),
        "recall@2% ceiling": min(1.0, max(1, int(round(TOP_SHARE * len(entries)))) / max(len(anomalous), 1)),
        "line-max AP": average_precision_score(positive, highest_line),
        "line-max recall@2%": recall_at(positive, highest_line, TOP_SHARE),
        "medium/high lines": serious / len(lines),
        "flagged lines": flags["row_number"].nunique() / len(lines),
        "groups inside one entry": groups_inside_one_entry(flags, entry_of),
        "kinds": pd.DataFrame(kinds).set_index("kind"),
    }


def groups_inside_one_entry(flags: pd.DataFrame, entry_of: pd.Series) -> int:
    """Duplicate groups whose flagged members and the lines they repeat are all lines of one entry."""
    grouped = flags[flags["group_id"].notna() & (flags["analytics_type"] == "duplicate_analysis")]
    if grouped.empty:
        return 0
    twins = grouped["details"].map(lambda d: d.get("twin_row_number") if isinstance(d, dict) else None)
    members = pd.concat(
        [
            pd.DataFrame({"group": grouped["group_id"], "row": grouped["row_number"]}),
            pd.DataFrame({"group": grouped["group_id"], "row": twins}).dropna(),
        ]
    )
    members["entry"] = entry_of.reindex(members["row"].astype(np.int64).to_numpy()).to_numpy()
    return int((members.groupby("group")["entry"].nunique() == 1).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12])
    args = parser.parse_args()

    for seed in args.seeds:
        with tempfile.TemporaryDirectory(prefix="fintrace-entries-") as scratch:
            labels, stored, seconds = process(args.rows, seed, Path(scratch))
        figures = evaluate(labels, stored)
        print(
            f"\nseed {seed}: {figures['lines']:,} lines, {figures['entries']:,} entries, "
            f"{figures['anomalous entries']:,} anomalous ({figures['anomalous entries'] / figures['entries']:.2%}); "
            f"pipeline {seconds:.1f} s"
        )
        print(
            f"  entry risk score      AP {figures['AP']:.3f}   recall in top 2 % {figures['recall@2%']:.3f} "
            f"(at most {figures['recall@2% ceiling']:.3f})"
        )
        print(
            f"  highest line risk     AP {figures['line-max AP']:.3f}   "
            f"recall in top 2 % {figures['line-max recall@2%']:.3f}"
        )
        print(
            f"  lines with a medium/high finding {figures['medium/high lines']:.2%}, with any finding "
            f"{figures['flagged lines']:.2%}; duplicate groups inside one entry {figures['groups inside one entry']}"
        )
        with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
            print(figures["kinds"].to_string())


if __name__ == "__main__":
    main()
