import dataclasses

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.findings import SCORE_COLUMNS, SKIPPED, ModelResult
from fintrace_pipeline.ml.explain import explain_rows, feature_strengths
from fintrace_pipeline.ml.features import build_features
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline.ml.run import MLOutcome, run_ml_ensemble
from fintrace_pipeline_tests.ml.synthetic import ledger, with_planted_outliers

FAST = MLOptions(isolation_trees=40, forest_trees=25)
PLANTED = [17, 222, 431]  # positions; row_number = position + 1
MODEL_TYPES = ["isolation_forest", "random_forest", "dbscan", "ensemble", "duplicate_detection", "anomaly_detection"]


def _flags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_number": [223, 223, 50, 51],
            "rule_code": ["USER_AMOUNT_OUTLIER", "WEEKEND_POSTING", "DUP_EXACT", "DUP_EXACT"],
            "severity": ["medium", "low", "high", "high"],
            "reason": ["Amount 20x the user's usual", "Posted on a Sunday", "Same invoice", "Same invoice"],
            "details": [None] * 4,
            "group_id": [None, None, "g1", "g1"],
            "analytics_type": ["anomaly_detection", "anomaly_detection", "duplicate_analysis", "duplicate_analysis"],
        }
    )


@pytest.fixture(scope="module")
def outcome() -> MLOutcome:
    return run_ml_ensemble(with_planted_outliers(ledger(), PLANTED), _flags(), FAST)


def _model(outcome: MLOutcome, model_type: str) -> ModelResult:
    return next(m for m in outcome.models if m.model_type == model_type)


def test_one_result_per_model_type_with_every_field_filled(outcome):
    assert [m.model_type for m in outcome.models] == MODEL_TYPES
    for model in outcome.models:
        assert model.status == "COMPLETED"
        for field in dataclasses.fields(ModelResult):
            if field.name != "error_message":  # set only when a model fails or is skipped
                assert getattr(model, field.name) is not None, (model.model_type, field.name)
        assert 0 <= model.processing_duration < 60
        assert model.data_size == 600
        assert model.model_version == "fintrace-ml-1.0"
        assert 0.0 <= model.confidence_score <= 1.0


def test_scores_frame_has_one_row_per_transaction(outcome):
    scores = outcome.scores
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert scores["row_number"].tolist() == list(range(1, 601))
    assert scores["risk_score"].between(0, 100).all()
    for column in ("isolation_forest_score", "random_forest_score", "dbscan_score", "rule_score"):
        assert scores[column].between(0, 1).all()


def test_planted_outliers_rank_on_top_with_amount_reasons(outcome):
    scores = outcome.scores
    # The two high-severity duplicates are rightly up there too; the planted rows fill the rest of
    # the top five, above every row that no rule flagged.
    assert sorted(scores.nlargest(5, "risk_score")["row_number"]) == sorted([50, 51] + [p + 1 for p in PLANTED])
    unflagged = scores[~scores["row_number"].isin(_flags()["row_number"])]
    assert sorted(unflagged.nlargest(2, "risk_score")["row_number"]) == [18, 432]
    top = scores[scores["row_number"].isin([p + 1 for p in PLANTED])]
    ensemble = _model(outcome, "ensemble")
    threshold = ensemble.detailed_results["high_risk_threshold"]
    assert (top["risk_score"] >= threshold).all()
    for _, row in top[top["row_number"] != 223].iterrows():
        codes = row["reasons"].split("; ")
        assert "AMOUNT_VS_USER" in codes
        # 20x an amount within +-10 % of the user's typical one
        ratio = float(row["reason_text"].split("× user")[0].rsplit("Amount ", 1)[1])
        assert 17.0 < ratio < 23.0
    # the flagged planted row states the same fact once, in the rule's own words
    flagged = scores.set_index("row_number").loc[223]
    codes = flagged["reasons"].split("; ")
    assert "USER_AMOUNT_OUTLIER" in codes
    assert not {"AMOUNT_VS_USER", "AMOUNT_VS_USER_RECENT"} & set(codes)
    assert "Amount 20x the user's usual" in flagged["reason_text"]
    # rows below the threshold are not explained
    assert (scores.loc[scores["risk_score"] < threshold, "reasons"] == "").all()


def test_ensemble_weights_and_thresholds_are_stored(outcome):
    ensemble = _model(outcome, "ensemble")
    weights = ensemble.detailed_results["weights_used"]
    assert set(weights) == {"isolation_forest", "random_forest", "dbscan", "rule_score"}
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-5)
    assert (
        ensemble.anomalies_detected
        == (outcome.scores["risk_score"] >= ensemble.detailed_results["high_risk_threshold"]).sum()
    )
    assert _model(outcome, "isolation_forest").detailed_results["threshold"] > 0
    assert _model(outcome, "dbscan").detailed_results["eps"] > 0


def test_high_risk_share_is_the_share_a_majority_of_models_call_anomalous(outcome):
    ensemble = _model(outcome, "ensemble")
    share = ensemble.detailed_results["high_risk_share"]
    majority_share = ensemble.model_metrics["majority_anomalous_rows"] / 600
    assert majority_share > 0
    assert share == pytest.approx(min(max(majority_share, 0.001), 0.05), abs=1e-6)
    assert ensemble.anomalies_detected == pytest.approx(share * 600, abs=2)


def test_high_risk_share_is_bounded_for_a_file_the_models_find_clean():
    options = dataclasses.replace(FAST, high_risk_share_min=0.02, high_risk_share_max=0.03)
    ensemble = _model(run_ml_ensemble(ledger(), None, options), "ensemble")
    assert ensemble.detailed_results["high_risk_share"] == pytest.approx(0.02)
    assert ensemble.anomalies_detected == 12


def test_every_high_risk_row_has_reasons_in_words():
    # No rule findings, so every reason has to come from the features.
    outcome = run_ml_ensemble(ledger(rows=2_000, seed=5), None, FAST)
    threshold = _model(outcome, "ensemble").detailed_results["high_risk_threshold"]
    high = outcome.scores[outcome.scores["risk_score"] >= threshold]
    assert len(high) >= 2
    assert (high["reasons"] != "").all() and (high["reason_text"] != "").all()
    assert (high["reasons"].str.split("; ").str.len() == high["reason_text"].str.split("; ").str.len()).all()


def test_a_row_with_no_rare_value_is_named_by_its_rarest_feature_or_as_a_combination():
    frame = ledger()
    features = build_features(frame, None, FAST)
    strict = dataclasses.replace(FAST, reason_min_strength=99.0)  # no feature is that rare
    rows = np.array([10, 20, 30])
    explained = explain_rows(features, frame, None, rows, strict)
    strengths = feature_strengths(features, rows, FAST.seed)
    for row in rows:
        assert explained.loc[row, "reasons"] == strengths.loc[row].idxmax()
    ordinary = dataclasses.replace(features, matrix=features.matrix * 0.0)
    explained = explain_rows(ordinary, frame, None, rows, strict)
    assert (explained["reasons"] == "UNUSUAL_COMBINATION").all()
    assert (explained["reason_text"] == "unusual combination of values, none of them rare on its own").all()


def test_rule_stage_summaries(outcome):
    duplicates = _model(outcome, "duplicate_detection")
    anomalies = _model(outcome, "anomaly_detection")
    assert duplicates.duplicates_found == 2 and duplicates.anomalies_detected == 0
    assert duplicates.risk_score == pytest.approx(100 * 2 / 600, abs=1e-4)
    assert duplicates.detailed_results["duplicate_groups"] == 1
    assert anomalies.anomalies_detected == 1  # two flags on the same row
    assert anomalies.detailed_results["top_codes"] == {"USER_AMOUNT_OUTLIER": 1, "WEEKEND_POSTING": 1}
    assert anomalies.confidence_score == pytest.approx((2 + 1) / 2 / 3, abs=1e-4)


def test_runs_are_deterministic():
    frame = with_planted_outliers(ledger(), PLANTED)
    first = run_ml_ensemble(frame, _flags(), FAST)
    second = run_ml_ensemble(frame, _flags(), FAST)
    pd.testing.assert_frame_equal(first.scores, second.scores)
    assert [m.feature_importance for m in first.models] == [m.feature_importance for m in second.models]


def _small_file_flags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_number": [3, 7, 7],
            "rule_code": ["DUP_EXACT", "USER_AMOUNT_OUTLIER", "SELF_APPROVED"],
            "severity": ["high", "medium", "medium"],
            "reason": ["Same invoice", "Amount 20x the user's usual", "Approved by its own author"],
            "details": [None] * 3,
            "group_id": ["g1", None, None],
            "analytics_type": ["duplicate_analysis", "anomaly_detection", "anomaly_detection"],
        }
    )


def test_fewer_than_fifty_rows_are_skipped():
    outcome = run_ml_ensemble(ledger(rows=49), _small_file_flags(), FAST)
    by_type = {m.model_type: m for m in outcome.models}
    for model_type in ("isolation_forest", "random_forest", "dbscan", "ensemble"):
        assert by_type[model_type].status == SKIPPED
        assert "49 rows" in by_type[model_type].detailed_results["reason"]
        assert "too few for the models to learn what is usual" in by_type[model_type].error_message
    assert by_type["ensemble"].detailed_results["rows_with_findings"] == 2
    # Every row is still scored, from its rule findings alone.
    scores = outcome.scores.set_index("row_number")
    assert len(scores) == 49 and scores["risk_score"].notna().all()
    assert scores.loc[3, "risk_score"] == 99.9  # high severity: the top 0.1 %
    assert scores.loc[7, "risk_score"] == pytest.approx(100 * (1 - 10**-2.5), abs=1e-4)  # medium: 99.68
    assert (scores.drop(index=[3, 7])["risk_score"] == 0.0).all()
    assert (scores["reasons"] != "").sum() == 2
    assert scores.loc[3, "reasons"] == "DUP_EXACT" and scores.loc[3, "reason_text"] == "Same invoice"
    assert set(scores.loc[7, "reasons"].split("; ")) == {"USER_AMOUNT_OUTLIER", "SELF_APPROVED"}
    assert "Approved by its own author" in scores.loc[7, "reason_text"]
    # rule_score is the rank of the severity sum (7: 2 + 2, 3: 3, the other 47 tied at 0)
    assert scores.loc[7, "rule_score"] == 1.0 and scores.loc[3, "rule_score"] == pytest.approx(47 / 48)
    assert scores.drop(index=[3, 7])["rule_score"].eq(23 / 48).all()
    assert scores["isolation_forest_score"].isna().all() and scores["random_forest_score"].isna().all()


def test_a_small_file_without_findings_scores_every_row_zero_without_reasons():
    outcome = run_ml_ensemble(ledger(rows=10), None, FAST)
    scores = outcome.scores
    assert scores["row_number"].tolist() == list(range(1, 11))
    assert (scores["risk_score"] == 0.0).all() and (scores["reasons"] == "").all()
    assert scores["rule_score"].isna().all()
    assert _model(outcome, "ensemble").detailed_results["rows_with_findings"] == 0


def test_a_one_row_file_is_scored_by_its_finding():
    flags = _small_file_flags().iloc[[0]].assign(row_number=1)
    outcome = run_ml_ensemble(ledger(rows=1), flags, FAST)
    assert _model(outcome, "isolation_forest").error_message.startswith("only 1 row:")
    assert outcome.scores[["row_number", "risk_score", "reasons"]].values.tolist() == [[1, 99.9, "DUP_EXACT"]]
    assert _model(outcome, "duplicate_detection").duplicates_found == 1


def test_no_rows_are_skipped_with_a_clear_reason():
    outcome = run_ml_ensemble(ledger(rows=0), None, FAST)
    assert [m.status for m in outcome.models[:4]] == [SKIPPED] * 4
    assert outcome.models[0].error_message == "no rows were loaded, so there is nothing to learn from"
    assert len(outcome.scores) == 0 and list(outcome.scores.columns) == list(SCORE_COLUMNS)


def test_missing_required_column_is_skipped():
    outcome = run_ml_ensemble(ledger().drop(columns=["amount"]), None, FAST)
    assert all(m.status == SKIPPED for m in outcome.models[:4])
    assert "amount" in outcome.models[0].error_message


def test_vendor_burst_is_explained_in_words():
    frame = ledger()
    burst = list(range(100, 112))  # 12 payments to V9 within two hours of one day
    frame.loc[burst, "vendor"] = "V9"
    frame.loc[burst, "posting_date"] = pd.Timestamp("2024-03-20 10:00") + pd.to_timedelta(
        np.arange(12) * 10, unit="min"
    )
    features = build_features(frame, None, FAST)
    assert "vendor_burst_1d" in features.detector_names
    explained = explain_rows(features, frame, None, np.array([111]), FAST)
    assert explained.loc[111, "reasons"].split("; ")[0] == "VENDOR_BURST"
    assert "Vendor V9 has 12 payments in 24 h" in explained.loc[111, "reason_text"]


def test_reasons_are_ordered_by_strength_rules_by_severity():
    frame = with_planted_outliers(ledger(), PLANTED)
    opts = dataclasses.replace(FAST, max_reasons=12)
    features = build_features(frame, _flags(), opts)
    explained = explain_rows(features, frame, _flags(), np.array([222, 49]), opts)
    codes = explained.loc[222, "reasons"].split("; ")
    # extreme feature values (top of the file: log10(600) = 2.78 decades) outrank a medium rule (2.5),
    # which outranks a low one (2.0); the rule states the amount-against-the-user fact the features
    # also found, so it stands first, at their strength, in its own words
    assert codes[0] == "USER_AMOUNT_OUTLIER"
    assert not {"AMOUNT_VS_USER", "AMOUNT_VS_USER_RECENT"} & set(codes)
    assert codes.index("USER_AMOUNT_OUTLIER") < codes.index("WEEKEND_POSTING")
    assert explained.loc[49, "reasons"].split("; ")[0] == "DUP_EXACT"
    texts = explained.loc[222, "reason_text"].split("; ")
    assert len(texts) == len(codes)
    assert texts[codes.index("WEEKEND_POSTING")] == "Posted on a Sunday"


def test_result_sections_are_json_safe(outcome):
    import json

    for model in outcome.models:
        json.dumps([model.detailed_results, model.model_metrics, model.feature_importance], allow_nan=False)
