import dataclasses

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.ml.forest import usable_labels, weak_labels
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline.ml.run import run_ml_ensemble
from fintrace_pipeline_tests.ml.synthetic import ledger, with_planted_outliers

FAST = MLOptions(isolation_trees=40, forest_trees=25, forest_cv_folds=3)


def _forest(outcome):
    return next(m for m in outcome.models if m.model_type == "random_forest")


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    planted = list(range(0, 600, 20))  # 30 rows at 20x their user's usual amount
    frame = with_planted_outliers(ledger(), planted)
    label = np.zeros(len(frame), dtype=np.int64)
    label[planted] = 1
    frame["label"] = pd.array(label, dtype="Int64")
    return frame


def test_usable_labels_needs_both_classes_in_every_fold():
    frame = ledger(rows=100)
    assert usable_labels(frame, FAST) is None
    frame["label"] = pd.array([1, 1] + [0] * 98, dtype="Int64")
    assert usable_labels(frame, FAST) is None  # 2 positives < 3 folds
    frame["label"] = pd.array([1] * 3 + [0] * 97, dtype="Int64")
    assert usable_labels(frame, FAST).sum() == 3
    assert usable_labels(frame, dataclasses.replace(FAST, use_labels=False)) is None


def test_supervised_mode_with_a_label_column(labelled):
    forest = _forest(run_ml_ensemble(labelled, options=FAST))
    assert forest.detailed_results["mode"] == "supervised"
    metrics = forest.model_metrics
    assert metrics["k"] == 30 and metrics["cv_folds"] == 3
    # 20x a user's habit is easy to learn: out-of-fold scores put the planted rows on top
    assert metrics["average_precision"] > 0.9
    assert metrics["precision_at_k"] > 0.9
    # the threshold (maximum F1 out of fold) recovers most planted rows without many false alarms
    assert metrics["recall_at_threshold"] > 0.8 and metrics["precision_at_threshold"] > 0.8
    anomalous = forest.anomalies_detected
    assert 0.8 * 30 <= anomalous <= 30 / 0.8
    assert forest.confidence_score == pytest.approx(metrics["average_precision"], abs=1e-4)


def test_weak_mode_without_labels_and_it_never_reads_label(labelled):
    weak = dataclasses.replace(FAST, use_labels=False)
    first = run_ml_ensemble(labelled, options=weak)
    shuffled = labelled.copy()
    shuffled["label"] = pd.array(np.random.default_rng(5).permutation(labelled["label"].to_numpy()), dtype="Int64")
    second = run_ml_ensemble(shuffled, options=weak)
    dropped = run_ml_ensemble(labelled.drop(columns=["label"]), options=FAST)
    assert _forest(first).detailed_results["mode"] == "weakly_supervised"
    assert _forest(dropped).detailed_results["mode"] == "weakly_supervised"
    pd.testing.assert_frame_equal(first.scores, second.scores)
    pd.testing.assert_frame_equal(first.scores, dropped.scores)


def test_weak_labels_take_rule_hits_and_isolation_extremes():
    opts = dataclasses.replace(
        FAST,
        weak_positive_quantile=0.9,
        weak_negative_quantile=0.5,
        weak_rule_score_threshold=5.0,
        weak_min_positives=1,
    )
    isolation = np.arange(20, dtype=float)  # cut-offs: q0.9 = 17.1, q0.5 = 9.5
    rule_score = np.zeros(20)
    rule_score[[0, 1]] = [6.0, 1.0]  # row 0 is a confident rule hit, row 1 a weak one
    positives, negatives, cuts = weak_labels(isolation, rule_score, None, opts)
    assert positives.tolist() == [0, 18, 19]
    # ordinary isolation score and no rule hit at all (row 1 is flagged, so not a negative)
    assert negatives.tolist() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert cuts["isolation_positive_cut"] == pytest.approx(17.1)
