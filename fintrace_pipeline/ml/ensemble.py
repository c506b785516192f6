"""Combine the models' scores into one 0-100 risk score and measure how much the models agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from fintrace_pipeline.ml.detectors import quantile_normalise
from fintrace_pipeline.ml.options import MLOptions

# The component the rule findings add to the models' scores (a key of MLOptions.ensemble_weights).
RULE_SCORE = "rule_score"


@dataclass
class EnsembleOutcome:
    risk: np.ndarray  # 0-100 per row
    normalised: dict[str, np.ndarray]  # each component's score mapped to [0, 1] by rank
    weights_used: dict[str, float]
    high_risk_share: float
    high_risk_threshold: float
    agreement: dict[str, float] = field(default_factory=dict)


def tail_rarity(quantile: np.ndarray) -> np.ndarray:
    """Decades of rarity of a quantile (0.99 -> 2, 0.999 -> 3): averaging these instead of the raw
    quantiles lets one model that finds a row exceptional outweigh mild doubts of the others."""
    n = max(len(quantile), 1)
    return -np.log10(np.maximum(1.0 - quantile, 0.0) + 1.0 / n)


def _top_overlap(first: np.ndarray, second: np.ndarray, top: int) -> float:
    a = np.argpartition(-first, top - 1)[:top]
    b = np.argpartition(-second, top - 1)[:top]
    return len(np.intersect1d(a, b)) / top


def combine(scores: dict[str, np.ndarray], weights: dict[str, float], high_risk_share: float) -> EnsembleOutcome:
    """Weighted mean of the components' rank-normalised scores, taken on the tail-rarity scale.

    A component that is constant (e.g. a rule score when no rule fired) carries no ranking
    information and is left out, with the remaining weights rescaled to sum to 1.
    """
    normalised = {name: quantile_normalise(values) for name, values in scores.items()}
    informative = {
        name: weights.get(name, 0.0)
        for name, values in scores.items()
        if weights.get(name, 0.0) > 0 and np.ptp(values) > 0
    }
    total = sum(informative.values())
    weights_used = {name: round(w / total, 6) for name, w in informative.items()} if total else {}
    n = len(next(iter(scores.values()))) if scores else 0
    combined = np.zeros(n)
    for name, weight in weights_used.items():
        combined += weight * tail_rarity(normalised[name])
    # Back to a 0-100 percentile, so a risk score reads the same whatever the file size.
    risk = 100.0 * quantile_normalise(combined) if weights_used else np.zeros(n)

    threshold = float(np.quantile(risk, 1.0 - high_risk_share)) if n else 0.0
    top = max(1, int(round(n * high_risk_share)))
    spearman, overlap = [], []
    for first, second in combinations(weights_used, 2):
        spearman.append(float(np.corrcoef(normalised[first], normalised[second])[0, 1]))
        overlap.append(_top_overlap(normalised[first], normalised[second], top))
    agreement = {
        "mean_pairwise_spearman": round(float(np.mean(spearman)), 6) if spearman else 1.0,
        "mean_pairwise_top_overlap": round(float(np.mean(overlap)), 6) if overlap else 1.0,
        "top_rows_compared": top,
    }
    return EnsembleOutcome(
        risk=risk,
        normalised=normalised,
        weights_used=weights_used,
        high_risk_share=high_risk_share,
        high_risk_threshold=threshold,
        agreement=agreement,
    )


def majority_anomalous(anomalous: list[np.ndarray]) -> np.ndarray:
    """Rows more than half of the models call anomalous, each by its own cut."""
    votes = np.sum(anomalous, axis=0)
    return votes > len(anomalous) / 2


def high_risk_share(majority: np.ndarray, options: MLOptions) -> float:
    """The share of rows the ensemble calls high risk: the share a majority of the models call
    anomalous, kept within the configured bounds so a clean file still names its top rows and a noisy
    one does not bury the reviewer."""
    share = float(majority.mean())
    return min(max(share, options.high_risk_share_min), options.high_risk_share_max)
