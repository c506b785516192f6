"""What every ML detector shares: the fit/score interface, sampling, chunked scoring, normalisation.

All detectors score so that higher means more anomalous, which lets the ensemble treat them alike.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

MAD_TO_SD = 1.4826


class Detector(Protocol):
    def fit(self, features: np.ndarray) -> Detector: ...

    def score_samples(self, features: np.ndarray) -> np.ndarray:
        """One score per row; higher = more anomalous."""
        ...


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
