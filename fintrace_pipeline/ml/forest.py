"""Random forest, in one of two modes, a detector each.

- supervised (SupervisedForest): the frame carries a usable ``label`` column; stratified
  cross-validation, and every row's score is its out-of-fold probability (never scored by a model
  that saw its label).
- weakly_supervised (WeaklySupervisedForest): no labels. Positives are high-confidence rule findings
  and isolation-forest extremes, negatives a sample of unflagged rows with ordinary isolation scores.
  ``label`` is never read in this mode, even when present.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold

from fintrace_pipeline.ml.detectors import (
    UNLABELLED,
    Detector,
    DetectorReport,
    Evidence,
    LearningData,
    NotEnoughToLearn,
    sample_rows,
)
from fintrace_pipeline.ml.options import MLOptions

SUPERVISED = "supervised"
WEAKLY_SUPERVISED = "weakly_supervised"
HIGH_SEVERITY_WEIGHT = 3.0
MIN_WEAK_CLASS_ROWS = 5


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
    return np.concatenate(parts) if parts else np.empty(0)


def _importances(models: list[RandomForestClassifier], names: list[str]) -> dict[str, float]:
    mean = np.mean([m.feature_importances_ for m in models], axis=0)
    order = np.argsort(-mean)
    return {names[i]: round(float(mean[i]), 6) for i in order}


class SupervisedForest(Detector):
    """Learns the reviewers' labels on every feature; each row is scored out of fold."""

    model_type = "random_forest"

    def __init__(self, options: MLOptions) -> None:
        super().__init__(options)
        self.models: list[RandomForestClassifier] = []
        self.out_of_fold = np.empty(0)
        self.threshold = 0.5
        self.metrics: dict[str, Any] = {}

    def learning_data(self, evidence: Evidence) -> LearningData:
        if evidence.labels is None:
            raise NotEnoughToLearn("the file has no usable label column")
        return LearningData(evidence.matrix, evidence.features.names, evidence.labels)

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None) -> SupervisedForest:
        if labels is None:
            raise ValueError("the supervised forest learns from labels")
        opts = self.options
        folds = StratifiedKFold(n_splits=opts.forest_cv_folds, shuffle=True, random_state=opts.seed)
        self.out_of_fold = np.zeros(len(labels))
        self.models = []
        for fold, (train, test) in enumerate(folds.split(features, labels)):
            train_labels = labels[train]
            rows = train[
                _training_rows(
                    np.flatnonzero(train_labels == 1), np.flatnonzero(train_labels == 0), opts, opts.seed + fold
                )
            ]
            model = _forest(opts).fit(features[rows], labels[rows])
            self.out_of_fold[test] = _predict(model, features[test], opts.score_chunk_rows)
            self.models.append(model)
        self._measure_out_of_fold(labels)
        return self

    def _measure_out_of_fold(self, labels: np.ndarray) -> None:
        """Average precision and the maximum-F1 threshold of the out-of-fold scores."""
        opts = self.options
        positives = int(labels.sum())
        top_k = np.argsort(-self.out_of_fold, kind="stable")[:positives]
        precision, recall, thresholds = precision_recall_curve(labels, self.out_of_fold)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        best = int(np.argmax(f1[:-1])) if len(thresholds) else 0
        self.threshold = float(thresholds[best]) if len(thresholds) else 0.5
        self.metrics = {
            "average_precision": round(float(average_precision_score(labels, self.out_of_fold)), 6),
            "precision_at_k": round(float(labels[top_k].mean()), 6),
            "k": positives,
            "threshold": self.threshold,
            "precision_at_threshold": round(float(precision[best]), 6),
            "recall_at_threshold": round(float(recall[best]), 6),
            "cv_folds": opts.forest_cv_folds,
            "positives": positives,
        }

    def score_samples(self, features: np.ndarray) -> np.ndarray:
        """Rows none of the fold models learned from: the fold models' mean probability."""
        return np.mean([_predict(m, features, self.options.score_chunk_rows) for m in self.models], axis=0)

    def fit_score(self, features: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        return self.fit(features, labels).out_of_fold

    def report(self, data: LearningData, scores: np.ndarray) -> DetectorReport:
        return DetectorReport(
            anomalous=scores >= self.threshold,
            details={
                "mode": SUPERVISED,
                "threshold": self.threshold,
                "threshold_rule": "maximum F1 on out-of-fold scores",
            },
            metrics=self.metrics,
            importance=_importances(self.models, data.names),
            confidence=self.metrics["average_precision"],
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


class WeaklySupervisedForest(Detector):
    """Learns weak labels taken from the isolation forest's scores and the rule findings, so it runs
    after the isolation forest. ``label`` is never read."""

    model_type = "random_forest"

    def __init__(self, options: MLOptions) -> None:
        super().__init__(options)
        self.model = _forest(options)
        self.training_rows = 0
        self.training_positive_share = 0.0

    def learning_data(self, evidence: Evidence) -> LearningData:
        features = evidence.features
        isolation_scores = evidence.scores["isolation_forest"]
        rule_max = features.matrix["rule_max_severity"].to_numpy() if "rule_max_severity" in features.names else None
        positives, negatives, cuts = weak_labels(isolation_scores, features.rule_score, rule_max, self.options)
        if len(positives) < MIN_WEAK_CLASS_ROWS or len(negatives) < MIN_WEAK_CLASS_ROWS:
            raise NotEnoughToLearn(
                f"too few weak labels to train on ({len(positives)} positives, {len(negatives)} negatives; "
                f"need {MIN_WEAK_CLASS_ROWS} of each)"
            )
        labels = np.full(len(isolation_scores), UNLABELLED, dtype=np.int64)
        labels[negatives] = 0
        labels[positives] = 1
        # Weak labels come from the detectors' view of the data, so the forest learns on that same view:
        # held-back context columns would only let it fit noise around the pseudo-labels.
        return LearningData(evidence.detector_matrix, features.detector_names, labels, cuts)

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None) -> WeaklySupervisedForest:
        if labels is None:
            raise ValueError("the weakly supervised forest learns from weak labels")
        positives, negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
        rows = _training_rows(positives, negatives, self.options, self.options.seed)
        self.model.fit(features[rows], labels[rows])
        self.training_rows = len(rows)
        self.training_positive_share = float(labels[rows].mean())
        return self

    def score_samples(self, features: np.ndarray) -> np.ndarray:
        return _predict(self.model, features, self.options.score_chunk_rows)

    def report(self, data: LearningData, scores: np.ndarray) -> DetectorReport:
        threshold = 0.5  # the classifier was trained on balanced class weights
        positives = data.labels == 1
        return DetectorReport(
            anomalous=scores >= threshold,
            details={
                "mode": WEAKLY_SUPERVISED,
                "threshold": threshold,
                **data.details,
                "weak_positives": int(positives.sum()),
                "weak_negatives_available": int((data.labels == 0).sum()),
                "training_rows": self.training_rows,
            },
            metrics={
                "threshold": threshold,
                "training_positive_share": round(self.training_positive_share, 6),
                "training_recall_of_weak_positives": round(float((scores[positives] >= threshold).mean()), 6),
            },
            importance=_importances([self.model], data.names),
        )
