import dataclasses

import numpy as np
from sklearn.neighbors import NearestNeighbors

from fintrace_pipeline.ml.density import DbscanDetector
from fintrace_pipeline.ml.detectors import quantile_normalise, robust_cut, sample_rows
from fintrace_pipeline.ml.options import MLOptions


def _blobs_with_outliers() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    blobs = np.vstack([rng.normal(0.0, 1.0, (400, 3)), rng.normal(8.0, 1.0, (400, 3))])
    outliers = np.array([[30.0, 30.0, 30.0], [-25.0, 0.0, 0.0], [4.0, 40.0, 4.0], [0.0, 0.0, -30.0]])
    return np.vstack([blobs, outliers]), np.arange(800, 804)


def test_eps_comes_from_the_k_distance_quantile_of_the_fitted_sample():
    data, _ = _blobs_with_outliers()
    opts = dataclasses.replace(MLOptions(), dbscan_min_samples=8, dbscan_eps_quantile=0.9)
    detector = DbscanDetector(opts).fit(data)
    scaled = detector.scaler.transform(data)
    k_distance = NearestNeighbors(n_neighbors=8).fit(scaled).kneighbors(scaled)[0][:, -1]
    assert detector.eps == np.quantile(k_distance, 0.9)
    assert detector.clusters_found == 2


def test_sample_then_assign_scores_noise_rows_highest():
    data, outliers = _blobs_with_outliers()
    opts = dataclasses.replace(MLOptions(), dbscan_min_samples=8, dbscan_max_core_points=50)
    fit_rows = sample_rows(len(data), 300, seed=1)
    detector = DbscanDetector(opts).fit(data[fit_rows])
    scores = detector.score_samples(data)
    assert set(np.argsort(-scores)[:4]) == set(outliers)
    assert (scores[outliers] > detector.eps).all()
    # rows in the blobs are within eps of some core point, even though only a sample was clustered
    assert (scores[:800] <= detector.eps).mean() > 0.95
    # brute-force assignment agrees with an exact nearest-neighbour search over the kept core points
    exact = (
        NearestNeighbors(n_neighbors=1)
        .fit(detector.core_points)
        .kneighbors(detector.scaler.transform(data).astype(np.float32))[0][:, 0]
    )
    np.testing.assert_allclose(scores, exact, rtol=1e-3, atol=5e-3)  # float32 arithmetic


def test_quantile_normalise_and_robust_cut():
    assert quantile_normalise(np.array([10.0, 30.0, 20.0, 20.0])).tolist() == [0.0, 1.0, 0.5, 0.5]
    # median 3, MAD 1 -> cut at 3 + 2 * 1.4826
    assert robust_cut(np.array([1.0, 2.0, 3.0, 4.0, 100.0]), 2.0) == 3 + 2 * 1.4826
