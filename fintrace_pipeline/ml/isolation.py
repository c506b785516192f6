"""Isolation forest: rows that a few random splits already separate from the rest are anomalous."""

from __future__ import annotations

import numpy as np
from joblib import parallel_config
from sklearn.ensemble import IsolationForest

from fintrace_pipeline.ml.detectors import Detector, DetectorReport, LearningData, robust_cut, sample_rows
from fintrace_pipeline.ml.options import MLOptions

# How far (in robust standard deviations of its own scores) a row must stand out to count as anomalous.
OUTLIER_CUT_K = 3.0


class IsolationForestDetector(Detector):
    model_type = "isolation_forest"

    def __init__(self, options: MLOptions) -> None:
        super().__init__(options)
        self.model = IsolationForest(
            n_estimators=options.isolation_trees,
            max_samples=options.isolation_max_samples,
            random_state=options.seed,
            n_jobs=options.n_jobs,
        )
        self.fit_rows = 0

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None) -> IsolationForestDetector:
        opts = self.options
        sample = features[sample_rows(len(features), opts.isolation_fit_rows, opts.seed)]
        self.fit_rows = len(sample)
        # A small file is its own subsample (sklearn would warn and do the same).
        self.model.set_params(max_samples=min(opts.isolation_max_samples, len(sample)))
        self.model.fit(sample)
        return self

    def score_samples(self, features: np.ndarray) -> np.ndarray:
        # sklearn walks the trees one after another unless told otherwise; tree walks release the GIL,
        # so threads share the work without copying the features.
        with parallel_config(backend="threading", n_jobs=self.options.n_jobs):
            # sklearn scores "normality" (higher = more normal); flip it so higher = more anomalous.
            return -self.model.score_samples(features)

    def report(self, data: LearningData, scores: np.ndarray) -> DetectorReport:
        cut = robust_cut(scores, OUTLIER_CUT_K)
        anomalous = scores >= cut
        return DetectorReport(
            anomalous=anomalous,
            details={
                "fit_rows": self.fit_rows,
                "trees": self.options.isolation_trees,
                "max_samples": self.options.isolation_max_samples,
                "threshold": cut,
                "threshold_rule": f"median + {OUTLIER_CUT_K} robust SD of the scores",
            },
            metrics={"contamination": round(float(anomalous.mean()), 6)},
        )
