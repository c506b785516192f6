"""Fitting a source's risk model on its reviewed rows, with time-ordered cross-validation.

Only reviewed rows are training rows (1 confirmed, 0 cleared); unreviewed rows are not negatives.
The majority class is subsampled (all positives kept) and the forest is class-weighted, so three
months of card payments train in seconds. The figures stored with the model come from folds in time
order: each fold trains on the reviewed rows before a point in time and is measured on every
reviewed row of the next block, as the model is used (on what comes after what it learned).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score, precision_recall_curve

from fintrace_pipeline.ml.detectors import sample_rows

MIN_CLASS_ROWS = 5  # fewer positives or negatives than this: nothing to learn from yet
TIME_FOLDS = 3  # blocks of reviewed rows in time order; each but the first is measured once


@dataclass(frozen=True)
class RiskModelOptions:
    seed: int = 20240601
    trees: int = 80
    max_depth: int = 14
    min_samples_leaf: int = 3
    max_negatives: int = 50_000
    # The folds only measure: half as many negatives is enough for that and halves their cost.
    cv_max_negatives: int = 25_000
    n_jobs: int = 2


@dataclass
class FittedRiskModel:
    model: RandomForestClassifier
    names: list[str]
    metrics: dict[str, Any]
    importance: dict[str, float]
    training_rows: int
    positives: int


class NothingToLearn(ValueError):
    """Too few reviewed rows of one kind; the message says how many of each there are."""


def _fit(
    matrix: np.ndarray, labels: np.ndarray, rows: np.ndarray, options: RiskModelOptions, seed: int, negatives_cap: int
):
    positives, negatives = rows[labels[rows] == 1], rows[labels[rows] == 0]
    kept = negatives[sample_rows(len(negatives), negatives_cap, seed)]
    chosen = np.sort(np.concatenate([positives, kept]))
    model = RandomForestClassifier(
        n_estimators=options.trees,
        max_depth=options.max_depth,
        min_samples_leaf=options.min_samples_leaf,
        class_weight="balanced_subsample",
        random_state=seed,
        n_jobs=options.n_jobs,
    )
    return model.fit(matrix[chosen], labels[chosen])


def precision_at_k(labels: np.ndarray, scores: np.ndarray) -> tuple[float, int]:
    """Share of confirmed rows among the k highest scores, k = the number of confirmed rows."""
    k = int(labels.sum())
    if k == 0:
        return 0.0, 0
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean()), k


def _time_folds(labels: np.ndarray, times: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) positions: each block of rows in time order after the first, with the rows before it."""
    order = np.argsort(times, kind="stable")
    blocks = np.array_split(order, TIME_FOLDS)
    folds = []
    for index in range(1, TIME_FOLDS):
        train = np.sort(np.concatenate(blocks[:index]))
        test = np.sort(blocks[index])
        if min(int(labels[train].sum()), int((labels[train] == 0).sum())) < MIN_CLASS_ROWS or labels[test].sum() == 0:
            continue
        folds.append((train, test))
    return folds


def fit_risk_model(
    matrix: np.ndarray, labels: np.ndarray, times: np.ndarray, names: list[str], options: RiskModelOptions
) -> FittedRiskModel:
    """The model fitted on every reviewed row, and its time-ordered cross-validated figures."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives < MIN_CLASS_ROWS or negatives < MIN_CLASS_ROWS:
        raise NothingToLearn(
            f"{positives} confirmed and {negatives} cleared rows: a risk model needs at least {MIN_CLASS_ROWS} of each"
        )
    fold_figures = []
    for number, (train, test) in enumerate(_time_folds(labels, times)):
        model = _fit(matrix, labels, train, options, options.seed + number + 1, options.cv_max_negatives)
        scores = model.predict_proba(matrix[test])[:, 1]
        p_at_k, k = precision_at_k(labels[test], scores)
        precision, recall, thresholds = precision_recall_curve(labels[test], scores)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        best = int(np.argmax(f1[:-1])) if len(thresholds) else 0
        fold_figures.append(
            {
                "rows": len(test),
                "positives": k,
                "average_precision": float(average_precision_score(labels[test], scores)),
                "precision_at_k": p_at_k,
                "threshold": float(thresholds[best]) if len(thresholds) else 0.5,
            }
        )
    model = _fit(matrix, labels, np.arange(len(labels)), options, options.seed, options.max_negatives)
    importance = model.feature_importances_
    order = np.argsort(-importance)
    metrics: dict[str, Any] = {
        "cv": "time-ordered: trained on earlier reviewed rows, measured on the next block",
        "folds": fold_figures,
        "average_precision": _mean(fold_figures, "average_precision"),
        "precision_at_k": _mean(fold_figures, "precision_at_k"),
        # The cut at which the folds' F1 was best: rows at or above it are called anomalous.
        "threshold": _mean(fold_figures, "threshold") or 0.5,
    }
    return FittedRiskModel(
        model=model,
        names=list(names),
        metrics=metrics,
        importance={names[i]: round(float(importance[i]), 6) for i in order},
        training_rows=len(labels),
        positives=positives,
    )


def _mean(figures: list[dict[str, Any]], key: str) -> float | None:
    return round(float(np.mean([f[key] for f in figures])), 6) if figures else None


def predict(model: RandomForestClassifier, matrix: np.ndarray, chunk_rows: int = 200_000) -> np.ndarray:
    parts = [model.predict_proba(matrix[s : s + chunk_rows])[:, 1] for s in range(0, len(matrix), chunk_rows)]
    return np.concatenate(parts) if parts else np.empty(0)
