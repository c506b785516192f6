"""Every knob of the ML stage in one frozen object, so a run is reproducible from what it stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MODEL_VERSION = "fintrace-ml-1.0"


@dataclass(frozen=True)
class MLOptions:
    seed: int = 20240601
    # Below this many rows no model is fitted: the statistics would be noise.
    min_rows: int = 50
    # Entities with fewer lines than this use the file-wide statistics instead of their own.
    min_entity_rows: int = 5
    # Floor for the robust spread (log scale), so an entity with near-constant amounts does not
    # turn a cent of difference into a huge z-score.
    mad_floor: float = 0.1
    z_clip: float = 12.0
    spread_prior_lines: float = 100.0
    # Trailing window (previous lines of the same entity) for the "recent history" features.
    recent_window: int = 10
    recent_min_periods: int = 3
    # Pseudo-count pulling a user's hour/weekday habits towards the file-wide distribution.
    habit_prior_weight: float = 5.0
    # A context feature (habits, bursts, round amounts) feeds the detectors only if some row is at
    # least this many decades beyond chance (see features.CONTEXT_FEATURES).
    context_min_decades: float = 2.0
    # Rows used for fitting; scoring always covers every row, in chunks.
    isolation_fit_rows: int = 100_000
    # Subsamples this large still hold a few of the rare rows, so the tails are cut finely.
    isolation_trees: int = 200
    isolation_max_samples: int = 1024
    dbscan_fit_rows: int = 5_000
    dbscan_min_samples: int = 10
    # eps = this quantile of the k-th neighbour distance in the fitted sample.
    dbscan_eps_quantile: float = 0.98
    dbscan_max_core_points: int = 1_000
    # Train the forest on a ``label`` column when the file has a usable one; False forces weak labels.
    use_labels: bool = True
    forest_trees: int = 80
    forest_max_depth: int = 12
    forest_min_samples_leaf: int = 10
    forest_cv_folds: int = 5
    forest_max_negatives: int = 40_000
    # Weak labels: isolation-forest scores above this quantile count as positives.
    weak_positive_quantile: float = 0.995
    # ... and rows below this quantile (with no rule flags) may serve as negatives.
    weak_negative_quantile: float = 0.98
    weak_min_positives: int = 10
    weak_rule_score_threshold: float = 5.0
    # Bounds on the share of rows the ensemble calls high risk; within them the share is the one a
    # majority of the models call anomalous.
    high_risk_share_min: float = 0.001
    high_risk_share_max: float = 0.05
    max_reasons: int = 3
    # z-score (or equivalent) a feature must reach to be named as a reason.
    reason_min_strength: float = 2.0
    top_rows_reported: int = 20
    score_chunk_rows: int = 200_000
    n_jobs: int = 2
    ensemble_weights: dict[str, float] = field(
        default_factory=lambda: {
            # Rule findings (medium and high severity) are the most precise evidence the file has.
            "isolation_forest": 0.40,
            "random_forest": 0.15,
            "dbscan": 0.10,
            "rule_score": 0.35,
        }
    )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
