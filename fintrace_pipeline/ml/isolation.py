"""Isolation forest: rows that a few random splits already separate from the rest are anomalous."""

from __future__ import annotations

import numpy as np
from joblib import parallel_config
from sklearn.ensemble import IsolationForest

from fintrace_pipeline.ml.options import MLOptions


class IsolationForestDetector:
    def __init__(self, options: MLOptions) -> None:
        self.options = options
        self.model = IsolationForest(
            n_estimators=options.isolation_trees,
            max_samples=options.isolation_max_samples,
            random_state=options.seed,
            n_jobs=options.n_jobs,
        )

    def fit(self, features: np.ndarray) -> IsolationForestDetector:
        # A small file is its own subsample (sklearn would warn and do the same).
        self.model.set_params(max_samples=min(self.options.isolation_max_samples, len(features)))
        self.model.fit(features)
        return self

    def score_samples(self, features: np.ndarray) -> np.ndarray:
        # sklearn walks the trees one after another unless told otherwise; tree walks release the GIL,
        # so threads share the work without copying the features.
        with parallel_config(backend="threading", n_jobs=self.options.n_jobs):
            # sklearn scores "normality" (higher = more normal); flip it so higher = more anomalous.
            return -self.model.score_samples(features)
