"""Random forest, in one of two modes.

- supervised: the frame carries a usable ``label`` column; stratified cross-validation, and every
  row's score is its out-of-fold probability (never scored by a model that saw its label).
- weakly_supervised: no labels. Positives are high-confidence rule findings and isolation-forest
  extremes, negatives a sample of unflagged rows with ordinary isolation scores. ``label`` is never
  read in this mode, even when present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold

from fintrace_pipeline.ml.detectors import sample_rows
from fintrace_pipeline.ml.options import MLOptions

SUPERVISED = "supervised"
WEAKLY_SUPERVISED = "weakly_supervised"
HIGH_SEVERITY_WEIGHT = 3.0


@dataclass
class ForestOutcome:
    mode: str
    scores: np.ndarray  # probability of the positive class, every row
    threshold: float
    importances: dict[str, float]
    metrics: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def usable_labels(transactions: pd.DataFrame, options: MLOptions) -> np.ndarray | None:
    """0/1 labels when the frame has a complete label column with enough of both classes, else None."""
    if not options.use_labels or "label" not in transactions.columns:
        return None
    labels = pd.to_numeric(transactions["label"], errors="coerce")
    if labels.isna().any():
        return None
    values = (labels.to_numpy(dtype=np.float64) > 0).astype(np.int64)
    positives = int(values.sum())
    if positives < options.forest_cv_folds or len(values) - positives < options.forest_cv_folds:
        return None
    return values


def _forest(options: MLOptions) -> RandomForestClassifier:
    return RandomForestClassifier(
        n_estimators=options.forest_trees,
        max_depth=options.forest_max_depth,
        min_samples_leaf=options.forest_min_samples_leaf,
        class_weight="balanced_subsample",
        random_state=options.seed,
        n_jobs=options.n_jobs,
    )


def _training_rows(positives: np.ndarray, negatives: np.ndarray, options: MLOptions, seed: int) -> np.ndarray:
    """All positives plus at most ``forest_max_negatives`` negatives (the majority class is subsampled)."""
    kept = negatives[sample_rows(len(negatives), options.forest_max_negatives, seed)]
    return np.sort(np.concatenate([positives, kept]))


def _predict(model: RandomForestClassifier, features: np.ndarray, chunk_rows: int) -> np.ndarray:
    parts = [model.predict_proba(features[s : s + chunk_rows])[:, 1] for s in range(0, len(features), chunk_rows)]
    return np.concatenate(parts)


def _importances(models: list[RandomForestClassifier], names: list[str]) -> dict[str, float]:
    mean = np.mean([m.feature_importances_ for m in models], axis=0)
    order = np.argsort(-mean)
    return {names[i]: round(float(mean[i]), 6) for i in order}


def fit_supervised(features: np.ndarray, names: list[str], labels: np.ndarray, options: MLOptions) -> ForestOutcome:
    folds = StratifiedKFold(n_splits=options.forest_cv_folds, shuffle=True, random_state=options.seed)
    out_of_fold = np.zeros(len(labels))
    models = []
    for fold, (train, test) in enumerate(folds.split(features, labels)):
        train_labels = labels[train]
        rows = train[
            _training_rows(
                np.flatnonzero(train_labels == 1), np.flatnonzero(train_labels == 0), options, options.seed + fold
            )
        ]
        model = _forest(options).fit(features[rows], labels[rows])
        out_of_fold[test] = _predict(model, features[test], options.score_chunk_rows)
        models.append(model)

    positives = int(labels.sum())
    top_k = np.argsort(-out_of_fold, kind="stable")[:positives]
    precision, recall, thresholds = precision_recall_curve(labels, out_of_fold)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1[:-1])) if len(thresholds) else 0
    threshold = float(thresholds[best]) if len(thresholds) else 0.5
    metrics = {
        "average_precision": round(float(average_precision_score(labels, out_of_fold)), 6),
        "precision_at_k": round(float(labels[top_k].mean()), 6),
        "k": positives,
        "threshold": threshold,
        "precision_at_threshold": round(float(precision[best]), 6),
        "recall_at_threshold": round(float(recall[best]), 6),
        "cv_folds": options.forest_cv_folds,
        "positives": positives,
    }
    return ForestOutcome(
        mode=SUPERVISED,
        scores=out_of_fold,
        threshold=threshold,
        importances=_importances(models, names),
        metrics=metrics,
        details={"threshold_rule": "maximum F1 on out-of-fold scores"},
    )


def weak_labels(
    isolation_scores: np.ndarray,
    rule_score: np.ndarray | None,
    rule_max_severity: np.ndarray | None,
    options: MLOptions,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Positive and negative row positions for weak supervision, and the cut-offs used."""
    positive_cut = float(np.quantile(isolation_scores, options.weak_positive_quantile))
    # In a small file the quantile leaves too few examples to learn from: take at least the top few.
    top_few = min(options.weak_min_positives, len(isolation_scores))
    if top_few:
        positive_cut = min(positive_cut, float(np.partition(isolation_scores, -top_few)[-top_few]))
    negative_cut = float(np.quantile(isolation_scores, options.weak_negative_quantile))
    positive = isolation_scores >= positive_cut
    unflagged = np.ones(len(isolation_scores), dtype=bool)
    if rule_score is not None:
        confident_rule = rule_score >= options.weak_rule_score_threshold
        if rule_max_severity is not None:
            confident_rule |= rule_max_severity >= HIGH_SEVERITY_WEIGHT
        positive |= confident_rule
        unflagged = rule_score == 0
    negative = ~positive & unflagged & (isolation_scores <= negative_cut)
    cuts = {
        "isolation_positive_cut": positive_cut,
        "isolation_negative_cut": negative_cut,
        "rule_score_threshold": options.weak_rule_score_threshold,
    }
    return np.flatnonzero(positive), np.flatnonzero(negative), cuts


def fit_weakly_supervised(
    features: np.ndarray,
    names: list[str],
    isolation_scores: np.ndarray,
    rule_score: np.ndarray | None,
    rule_max_severity: np.ndarray | None,
    options: MLOptions,
) -> ForestOutcome:
    positives, negatives, cuts = weak_labels(isolation_scores, rule_score, rule_max_severity, options)
    rows = _training_rows(positives, negatives, options, options.seed)
    targets = np.isin(rows, positives).astype(np.int64)
    model = _forest(options).fit(features[rows], targets)
    scores = _predict(model, features, options.score_chunk_rows)
    threshold = 0.5  # the classifier was trained on balanced class weights
    details = {
        **cuts,
        "weak_positives": int(len(positives)),
        "weak_negatives_available": int(len(negatives)),
        "training_rows": int(len(rows)),
    }
    metrics = {
        "threshold": threshold,
        "training_positive_share": round(float(targets.mean()), 6),
        "training_recall_of_weak_positives": round(float((scores[positives] >= threshold).mean()), 6),
    }
    return ForestOutcome(
        mode=WEAKLY_SUPERVISED,
        scores=scores,
        threshold=threshold,
        importances=_importances([model], names),
        metrics=metrics,
        details=details,
    )
