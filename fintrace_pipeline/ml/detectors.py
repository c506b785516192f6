"""What every ML detector shares: the fit/score interface, sampling, chunked scoring, normalisation.

Every model of the ensemble is a ``Detector``, in scikit-learn's terms: ``fit`` on the features (and
labels, for a model that learns from them) returns the detector, ``score_samples`` gives one score per
row, higher = more anomalous, so the ensemble can treat them alike. ``learning_data`` names what the
detector learns from in the file's ``Evidence``, and ``report`` says what goes into its ModelResult.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from fintrace_pipeline.ml.features import MAD_TO_SD, FeatureSet
from fintrace_pipeline.ml.options import MLOptions

UNLABELLED = -1


@dataclass
class Evidence:
    """What the detectors of one file may learn from."""

    features: FeatureSet
    matrix: np.ndarray  # every feature, float32 (the tree models work in float32 anyway)
    detector_matrix: np.ndarray  # the columns the unsupervised detectors see (features.detector_names)
    labels: np.ndarray | None  # reviewers' 0/1 labels, when the file carries usable ones
    scores: dict[str, np.ndarray] = field(default_factory=dict)  # of the detectors that ran so far

    @classmethod
    def of(cls, features: FeatureSet, labels: np.ndarray | None) -> Evidence:
        return cls(
            features=features,
            matrix=features.matrix.to_numpy(dtype=np.float32),
            detector_matrix=features.matrix[features.detector_names].to_numpy(dtype=np.float32),
            labels=labels,
        )


@dataclass
class LearningData:
    """The features one detector learns from and, for a learner, one label per row (1, 0 or UNLABELLED)."""

    features: np.ndarray
    names: list[str]
    labels: np.ndarray | None = None
    details: dict[str, Any] = field(default_factory=dict)  # how the labels were chosen


@dataclass
class DetectorReport:
    """What a fitted detector says about its scores, for its ModelResult."""

    anomalous: np.ndarray  # bool per row, by the detector's own cut
    details: dict[str, Any]
    metrics: dict[str, Any]
    importance: dict[str, float] | None = None  # None: each feature's association with the scores
    confidence: float | None = None  # None: how well its ranking agrees with the ensemble


class NotEnoughToLearn(Exception):
    """The file gives the detector too little to learn from; the message says why, in words."""


class Detector(ABC):
    model_type: ClassVar[str]  # the ModelResult it reports into

    def __init__(self, options: MLOptions) -> None:
        self.options = options

    def learning_data(self, evidence: Evidence) -> LearningData:
        """The columns the unsupervised detectors see, without labels."""
        return LearningData(evidence.detector_matrix, evidence.features.detector_names)

    @abstractmethod
    def fit(self, features: np.ndarray, labels: np.ndarray | None = None) -> Detector: ...

    @abstractmethod
    def score_samples(self, features: np.ndarray) -> np.ndarray:
        """One score per row; higher = more anomalous."""

    def fit_score(self, features: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        """Fit, then score the rows fitted on (a learner of reviewers' labels scores them out of fold)."""
        return score_in_chunks(self.fit(features, labels), features, self.options.score_chunk_rows)

    @abstractmethod
    def report(self, data: LearningData, scores: np.ndarray) -> DetectorReport: ...


def sample_rows(n_rows: int, max_rows: int, seed: int) -> np.ndarray:
    """Sorted positions of at most ``max_rows`` rows, drawn without replacement."""
    if n_rows <= max_rows:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=max_rows, replace=False))


def score_in_chunks(detector: Detector, features: np.ndarray, chunk_rows: int) -> np.ndarray:
    """Score every row without building per-row intermediates for the whole file at once."""
    parts = [
        detector.score_samples(features[start : start + chunk_rows]) for start in range(0, len(features), chunk_rows)
    ]
    return np.concatenate(parts) if parts else np.empty(0)


def quantile_normalise(scores: np.ndarray) -> np.ndarray:
    """Map scores to [0, 1] by rank, so models on different scales weigh the same; ties share a rank."""
    n = len(scores)
    if n <= 1:
        return np.zeros(n)
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    return (ranks - 1.0) / (n - 1.0)


def robust_cut(scores: np.ndarray, k: float) -> float:
    """A threshold taken from the scores themselves: median + k robust standard deviations."""
    median = float(np.median(scores))
    spread = MAD_TO_SD * float(np.median(np.abs(scores - median)))
    if spread == 0.0:
        spread = float(np.std(scores)) or 1e-12
    return median + k * spread


def feature_association(
    features: np.ndarray, names: list[str], scores: np.ndarray, sample: np.ndarray
) -> dict[str, float]:
    """How strongly each feature moves with a score (|Spearman| on a sample), normalised to sum to 1."""
    ranked_features = pd.DataFrame(features[sample], columns=names).rank()
    ranked_score = pd.Series(scores[sample]).rank()
    association = ranked_features.corrwith(ranked_score).abs().fillna(0.0)
    total = float(association.sum())
    if total == 0.0:
        return {name: 0.0 for name in names}
    return {name: round(float(value / total), 6) for name, value in association.sort_values(ascending=False).items()}


def top_rows(scores: np.ndarray, row_numbers: np.ndarray, count: int) -> list[dict[str, float]]:
    """The ``count`` highest-scoring rows as JSON-safe records."""
    count = min(count, len(scores))
    top = np.argpartition(-scores, count - 1)[:count] if count else np.empty(0, dtype=int)
    top = top[np.argsort(-scores[top], kind="stable")]
    return [{"row_number": int(row_numbers[i]), "score": round(float(scores[i]), 6)} for i in top]
