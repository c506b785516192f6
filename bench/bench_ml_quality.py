"""Detection quality of the ML stage on labelled payment data (labels used only for scoring).

Prints average precision and precision at k (k = number of frauds) for the ensemble, each model and
two baselines, overall and per fraud scenario (scenario rows vs all genuine rows).

    .venv/bin/python bench/bench_ml_quality.py [--data PATH] [--scores-csv PATH] [--supervised]

With ``--scores-csv`` the scores are read from a file with ``row_number`` and any of the score
columns (e.g. exported from stored pipeline results) instead of being computed here.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from fintrace_pipeline.ml.run import run_ml_ensemble
from fintrace_pipeline.settings import PROJECT_ROOT

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "datasets" / "fdh_2018-04.csv.gz"
SCORE_NAMES = ("risk_score", "isolation_forest_score", "random_forest_score", "dbscan_score")


def load_canonical(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file as a canonical frame (no label columns) and the labels kept aside."""
    raw = pd.read_csv(path)
    transactions = pd.DataFrame(
        {
            "row_number": np.arange(1, len(raw) + 1, dtype=np.int64),
            "transaction_id": raw["TRANSACTION_ID"].astype(str).astype("string"),
            "posting_date": pd.to_datetime(raw["TX_DATETIME"]).astype("datetime64[ns]"),
            "amount": raw["TX_AMOUNT"].astype("float64").round(2),
            "user": raw["CUSTOMER_ID"].astype(str).astype("string"),
            "vendor": raw["TERMINAL_ID"].astype(str).astype("string"),
        }
    )
    labels = pd.DataFrame(
        {
            "row_number": transactions["row_number"],
            "fraud": raw["TX_FRAUD"].to_numpy(),
            "scenario": raw["TX_FRAUD_SCENARIO"].to_numpy(),
        }
    )
    return transactions, labels


def baselines(transactions: pd.DataFrame) -> dict[str, np.ndarray]:
    amount = transactions["amount"]
    median = amount.groupby(transactions["user"]).transform("median")
    mad = (amount - median).abs().groupby(transactions["user"]).transform("median")
    robust = ((amount - median) / mad.where(mad > 0)).fillna(0.0)
    return {"baseline_raw_amount": amount.to_numpy(), "baseline_amount_vs_customer": robust.to_numpy()}


def precision_at_k(labels: np.ndarray, scores: np.ndarray) -> float:
    k = int(labels.sum())
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean()) if k else float("nan")


def evaluate(name: str, scores: np.ndarray, labels: pd.DataFrame) -> dict[str, float | str]:
    fraud = labels["fraud"].to_numpy()
    scenario = labels["scenario"].to_numpy()
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=-np.inf)
    scores = np.where(np.isinf(scores), np.nanmin(scores[np.isfinite(scores)]) - 1, scores)
    row: dict[str, float | str] = {
        "score": name,
        "AP": average_precision_score(fraud, scores),
        "P@k": precision_at_k(fraud, scores),
    }
    for s in sorted(set(scenario) - {0}):
        subset = (scenario == 0) | (scenario == s)
        row[f"AP_s{s}"] = average_precision_score(fraud[subset], scores[subset])
        row[f"P@k_s{s}"] = precision_at_k(fraud[subset], scores[subset])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--supervised",
        action="store_true",
        help="also hand TX_FRAUD to the pipeline as `label` (cross-validated forest)",
    )
    parser.add_argument(
        "--scores-csv",
        type=Path,
        default=None,
        help="evaluate these scores (row_number + score columns) instead of running the models",
    )
    args = parser.parse_args()

    transactions, labels = load_canonical(args.data)
    print(
        f"rows {len(transactions):,}, frauds {int(labels['fraud'].sum()):,} "
        f"({labels['fraud'].mean():.3%}); by scenario {labels['scenario'].value_counts().sort_index().to_dict()}"
    )
    if args.scores_csv is not None:
        scores = pd.read_csv(args.scores_csv, low_memory=False)
        source = f"scores from {args.scores_csv}"
    else:
        started = time.perf_counter()
        if args.supervised:
            transactions = transactions.assign(label=pd.array(labels["fraud"].to_numpy(), dtype="Int64"))
        outcome = run_ml_ensemble(transactions)
        scores = outcome.scores
        source = f"scores computed in-process in {time.perf_counter() - started:.1f} s"
        forest = next(m for m in outcome.models if m.model_type == "random_forest")
        print(f"random forest mode: {forest.detailed_results.get('mode')}; metrics {forest.model_metrics}")
    print(source)
    aligned = scores.set_index("row_number").reindex(labels["row_number"])

    rows = [evaluate(name, aligned[name].to_numpy(), labels) for name in SCORE_NAMES if name in aligned.columns]
    rows += [evaluate(name, values, labels) for name, values in baselines(transactions).items()]
    table = pd.DataFrame(rows).set_index("score")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(table)


if __name__ == "__main__":
    main()
