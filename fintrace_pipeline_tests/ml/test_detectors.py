import dataclasses

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.ml import run
from fintrace_pipeline.ml.detectors import Detector, DetectorReport, Evidence, LearningData
from fintrace_pipeline.ml.features import build_features
from fintrace_pipeline.ml.forest import usable_labels
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline_tests.ml.synthetic import ledger, with_planted_outliers

FAST = MLOptions(isolation_trees=40, forest_trees=25, forest_cv_folds=3)
# Rows at 20x their user's usual amount: few enough to be noise, not a dense region of their own.
PLANTED = [17, 122, 222, 331, 431, 555]


def _frame(labelled: bool) -> pd.DataFrame:
    frame = with_planted_outliers(ledger(), PLANTED)
    if labelled:
        label = np.zeros(len(frame), dtype=np.int64)
        label[PLANTED] = 1
        frame["label"] = pd.array(label, dtype="Int64")
    return frame


@pytest.mark.parametrize("labelled", [False, True])
def test_every_member_fits_to_itself_and_scores_the_planted_rows_higher(labelled):
    frame = _frame(labelled)
    evidence = Evidence.of(build_features(frame, None, FAST), usable_labels(frame, FAST))
    members = run.ensemble_members(labelled, FAST)
    assert [type(d).__name__ for d in members] == [
        "IsolationForestDetector",
        "SupervisedForest" if labelled else "WeaklySupervisedForest",
        "DbscanDetector",
    ]
    for detector in members:
        data = detector.learning_data(evidence)
        assert data.features.shape == (600, len(data.names))
        assert detector.fit(data.features, data.labels) is detector
        scores = detector.fit_score(data.features, data.labels)
        assert scores.shape == (600,) and np.isfinite(scores).all()
        ordinary = np.delete(scores, PLANTED)
        assert np.median(scores[PLANTED]) > np.quantile(ordinary, 0.9), detector.model_type
        report = detector.report(data, scores)
        assert report.anomalous.dtype == bool and report.anomalous.shape == (600,)
        evidence.scores[detector.model_type] = scores


class _LargestAmount(Detector):
    """A detector made for the test: the absolute amount-size feature is the score."""

    model_type = "largest_amount"

    def fit(self, features, labels=None):
        return self

    def score_samples(self, features):
        return features[:, 0].astype(np.float64)

    def report(self, data: LearningData, scores):
        return DetectorReport(anomalous=scores >= np.quantile(scores, 0.95), details={"rule": "top 5 %"}, metrics={})


def test_a_new_detector_is_one_class_and_one_list_entry(monkeypatch):
    members = run.ensemble_members
    monkeypatch.setattr(
        run,
        "ensemble_members",
        lambda labelled, options, learned=None: [*members(labelled, options, learned), _LargestAmount(options)],
    )
    weights = {**FAST.ensemble_weights, "largest_amount": 0.2}
    outcome = run.run_ml_ensemble(_frame(labelled=False), None, dataclasses.replace(FAST, ensemble_weights=weights))
    by_type = {m.model_type: m for m in outcome.models}
    added = by_type["largest_amount"]
    assert added.status == "COMPLETED" and added.detailed_results["rule"] == "top 5 %"
    assert added.anomalies_detected == 30  # the top 5 % of 600
    assert added.detailed_results["features"][0] == "amount_size"
    assert 0.0 <= added.confidence_score <= 1.0
    ensemble = by_type["ensemble"]
    assert "largest_amount" in ensemble.detailed_results["weights_used"]
    assert ensemble.model_metrics["models_combined"] == 4  # three detectors and this one; no rule findings
    assert [m.model_type for m in outcome.models][:5] == [
        "isolation_forest",
        "random_forest",
        "dbscan",
        "largest_amount",
        "ensemble",
    ]
