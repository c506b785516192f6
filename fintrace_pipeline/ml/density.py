"""DBSCAN made scalable: cluster a sample, then judge every row by its distance to the nearest core point.

eps comes from the data (a high quantile of the k-th neighbour distance in the sample); a row farther
than eps from every core point is noise, and that distance is its anomaly score.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import DBSCAN
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from fintrace_pipeline.ml.detectors import Detector, DetectorReport, LearningData, sample_rows
from fintrace_pipeline.ml.options import MLOptions

ASSIGN_BLOCK_ROWS = 16_384


class DbscanDetector(Detector):
    model_type = "dbscan"

    def __init__(self, options: MLOptions) -> None:
        super().__init__(options)
        self.fit_rows = 0
        self.scaler = StandardScaler()
        self.eps: float = 0.0
        self.core_points_found: int = 0
        self.clusters_found: int = 0
        self.sample_noise_share: float = 0.0
        self.core_points = np.empty((0, 0))
        self._core_norms = np.empty(0)
        self._minus_two_core_t = np.empty((0, 0))

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None) -> DbscanDetector:
        opts = self.options
        sample = features[sample_rows(len(features), opts.dbscan_fit_rows, opts.seed + 1)]
        self.fit_rows = len(sample)
        scaled = self.scaler.fit_transform(sample.astype(np.float64))
        min_samples = min(opts.dbscan_min_samples, len(scaled) - 1)
        # The k-th neighbour of each point (the point itself counts, as in DBSCAN's min_samples).
        k_distance = NearestNeighbors(n_neighbors=min_samples).fit(scaled).kneighbors(scaled)[0][:, -1]
        self.eps = float(np.quantile(k_distance, opts.dbscan_eps_quantile))
        if self.eps <= 0.0:
            positive = k_distance[k_distance > 0]
            self.eps = float(positive.min()) if len(positive) else 1e-6
        clustering = DBSCAN(eps=self.eps, min_samples=min_samples, n_jobs=opts.n_jobs).fit(scaled)
        core = clustering.core_sample_indices_
        self.core_points_found = len(core)
        self.clusters_found = int(clustering.labels_.max() + 1)
        self.sample_noise_share = float((clustering.labels_ < 0).mean())
        if len(core) == 0:
            core = np.arange(len(scaled))  # no dense region at all: measure distance to the sample itself
        if len(core) > opts.dbscan_max_core_points:
            # Core points of one dense region are near-duplicates; a subset keeps assignment fast.
            rng = np.random.default_rng(opts.seed)
            core = np.sort(rng.choice(core, size=opts.dbscan_max_core_points, replace=False))
        self.core_points = scaled[core].astype(np.float32)
        self._core_norms = np.einsum("ij,ij->i", self.core_points, self.core_points)
        self._minus_two_core_t = np.ascontiguousarray(-2.0 * self.core_points.T)
        return self

    def score_samples(self, features: np.ndarray) -> np.ndarray:
        """Euclidean distance (scaled space) to the nearest core point, by brute force in blocks.

        With a bounded number of core points one matrix product per block beats tree searches in a
        dozen dimensions; blocks keep the distance matrix small.
        """
        scaled = self.scaler.transform(features).astype(np.float32)
        out = np.empty(len(scaled))
        for start in range(0, len(scaled), ASSIGN_BLOCK_ROWS):
            block = scaled[start : start + ASSIGN_BLOCK_ROWS]
            # |x - c|^2 = |x|^2 - 2 x.c + |c|^2; |x|^2 is the same for every core point, so it is
            # added after the minimum, and the rest is updated in place to spare temporaries.
            cross = block @ self._minus_two_core_t
            cross += self._core_norms
            nearest = cross.min(axis=1) + np.einsum("ij,ij->i", block, block)
            out[start : start + len(block)] = np.sqrt(np.maximum(nearest, 0.0))
        return out

    def report(self, data: LearningData, scores: np.ndarray) -> DetectorReport:
        opts = self.options
        anomalous = scores > self.eps
        return DetectorReport(
            anomalous=anomalous,
            details={
                "fit_rows": self.fit_rows,
                "eps": self.eps,
                "eps_rule": f"quantile {opts.dbscan_eps_quantile} of the k-th neighbour distance",
                "min_samples": opts.dbscan_min_samples,
                "core_points": self.core_points_found,
                "clusters": self.clusters_found,
                "sample_noise_share": self.sample_noise_share,
                "threshold": self.eps,
                "threshold_rule": "distance to the nearest core point above eps = noise",
            },
            metrics={"noise_share": round(float(anomalous.mean()), 6)},
        )
