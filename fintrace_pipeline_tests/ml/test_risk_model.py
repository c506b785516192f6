"""The risk model's fit and figures, and the history reasons in words."""

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.ml.history_forest import LearnedModel, entity_words, history_reasons
from fintrace_pipeline.ml.risk_model import NothingToLearn, RiskModelOptions, fit_risk_model, precision_at_k

OPTIONS = RiskModelOptions(trees=20, n_jobs=1)


def test_a_signal_in_one_feature_is_learned_and_measured_on_later_rows():
    rng = np.random.default_rng(0)
    n = 3000
    signal = rng.integers(0, 2, n) * (rng.uniform(size=n) < 0.1)
    labels = (signal & (rng.uniform(size=n) < 0.9)).astype(int)
    matrix = np.column_stack([signal + rng.normal(0, 0.1, n), rng.normal(size=n)]).astype(np.float32)
    times = np.arange(n).astype("datetime64[s]")
    fitted = fit_risk_model(matrix, labels, times, ["signal", "noise"], OPTIONS)
    assert fitted.positives == labels.sum() and fitted.training_rows == n
    assert list(fitted.importance)[0] == "signal"
    assert len(fitted.metrics["folds"]) == 2  # the second and third blocks in time order
    assert fitted.metrics["average_precision"] > 0.8
    assert fitted.metrics["folds"][0]["rows"] == n // 3


def test_too_few_confirmed_rows_is_said_in_words():
    labels = np.array([1, 1, 0, 0, 0, 0, 0, 0])
    with pytest.raises(NothingToLearn, match="2 confirmed and 6 cleared rows"):
        fit_risk_model(np.zeros((8, 1), np.float32), labels, np.arange(8), ["x"], OPTIONS)


def test_precision_at_k_is_the_share_of_confirmed_rows_among_the_top_k():
    assert precision_at_k(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.1, 0.0])) == (0.5, 2)


def test_history_reasons_name_the_entity_in_the_files_words_and_the_shortest_window():
    frame = pd.DataFrame({"vendor": ["5161", "77"], "user": ["C1", "C2"]})
    history = pd.DataFrame(
        {
            "vendor_confirmed_1d": [0.0, 0.0],
            "vendor_confirmed_7d": [4.0, 0.0],
            "vendor_confirmed_30d": [9.0, 0.0],
            "user_confirmed_1d": [1.0, 0.0],
        }
    )
    learned = LearnedModel(
        None, [], "history-v1", {}, history, entity_words({"vendor": "TERMINAL_ID", "user": "CUSTOMER_ID"})
    )
    out = history_reasons(learned, frame, np.array([0, 1]))
    assert out.loc[0, "reason_text"] == (
        "terminal 5161 had 4 confirmed issues in the last 7 days; customer C1 had 1 confirmed issue in the last day"
    )
    assert out.loc[0, "reasons"] == "CONFIRMED_HISTORY_VENDOR; CONFIRMED_HISTORY_USER"
    assert 1 not in out.index  # nothing confirmed in its history: no history reason
