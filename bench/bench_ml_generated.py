"""Detection quality of the stored scores on a generated ledger with labelled, injected anomalies.

Generates a ledger and its labels (``fintrace generate``), processes it through the whole stored
pipeline (``fintrace process``; the labels file is never shown to it), exports the stored scores
(``fintrace export scores``) and prints average precision and precision at k (k = labelled rows)
for the ensemble, each model and the rule score: overall (any labelled row) and per anomaly kind
(that kind's rows against the unlabelled rows).

    .venv/bin/python bench/bench_ml_generated.py [--rows 200000] [--seed 11]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

SCORE_NAMES = ("risk_score", "isolation_forest_score", "random_forest_score", "dbscan_score", "rule_score")
BIN = Path(sys.executable).parent


def fintrace(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([str(BIN / "fintrace"), *args], env=env, check=True, capture_output=True, text=True).stdout


def precision_at_k(positive: np.ndarray, scores: np.ndarray) -> float:
    k = int(positive.sum())
    return float(positive[np.argsort(-scores, kind="stable")[:k]].mean()) if k else float("nan")


def quality(scores: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """One row per (subset, score): AP and P@k of each score column on that subset."""
    labelled = labels.groupby("row_number")["kind"].agg(set)
    rows = scores["row_number"].to_numpy()
    is_labelled = np.isin(rows, labelled.index.to_numpy())
    subsets = {"all kinds": (np.ones(len(rows), dtype=bool), is_labelled)}
    for kind in sorted(labels["kind"].unique()):
        positive = np.isin(rows, labels.loc[labels["kind"] == kind, "row_number"].to_numpy())
        subsets[kind] = (positive | ~is_labelled, positive)
    out = []
    for subset, (mask, positive) in subsets.items():
        entry: dict[str, object] = {"subset": subset, "rows": int(positive.sum())}
        for name in SCORE_NAMES:
            values = np.nan_to_num(scores[name].to_numpy(dtype=np.float64), nan=-1.0)[mask]
            entry[f"{name.removesuffix('_score')} AP"] = average_precision_score(positive[mask], values)
        entry["risk P@k"] = precision_at_k(positive[mask], scores["risk_score"].to_numpy(dtype=np.float64)[mask])
        out.append(entry)
    return pd.DataFrame(out).set_index("subset")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fintrace-bench-") as scratch:
        work = Path(scratch)
        env = {
            **os.environ,
            "FINTRACE_VAR_DIR": str(work / "var"),
            "FINTRACE_DATABASE_URL": f"sqlite:///{work / 'var' / 'fintrace.db'}",
        }
        ledger, labels_path, scores_path = work / "ledger.csv", work / "labels.csv", work / "scores.csv"
        fintrace("db", "upgrade", env=env)
        fintrace("generate", "--rows", str(args.rows), "--seed", str(args.seed), "--out", str(ledger),
                 "--labels", str(labels_path), env=env)  # fmt: skip
        outcome = json.loads(fintrace("process", str(ledger), "--json", env=env))
        fintrace("export", "scores", "--file-id", outcome["data_file_id"], "--out", str(scores_path), env=env)
        scores = pd.read_csv(scores_path, low_memory=False)
        labels = pd.read_csv(labels_path)

    print(
        f"{len(scores):,} rows, {labels['row_number'].nunique():,} labelled "
        f"({labels['row_number'].nunique() / len(scores):.2%}), {labels['kind'].nunique()} kinds; "
        f"pipeline {outcome['processing_time_s']:.1f} s"
    )
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(quality(scores, labels))


if __name__ == "__main__":
    main()
