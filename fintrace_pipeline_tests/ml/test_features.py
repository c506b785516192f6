import dataclasses

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.ml.features import (
    _first_digit,
    _robust_entity_stats,
    _round_level,
    _trailing_counts,
    _trailing_median,
    build_features,
)
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline_tests.ml.synthetic import ledger

OPTS = MLOptions()


def test_robust_entity_stats_uses_median_and_mad_of_the_entity():
    opts = dataclasses.replace(OPTS, spread_prior_lines=0.0, mad_floor=0.01, min_entity_rows=5)
    x = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    stats = _robust_entity_stats(x, np.zeros(5, dtype=np.int64), 1, opts)
    # median 3, absolute deviations [2, 1, 0, 1, 97] -> MAD 1 -> robust SD 1.4826
    assert stats.median[0] == 3.0
    assert stats.scale[0] == pytest.approx(1.4826)
    assert stats.z[0] == pytest.approx(-2 / 1.4826)
    assert stats.z[4] == opts.z_clip  # 97 / 1.4826 = 65.4, clipped


def test_small_entities_fall_back_to_file_wide_statistics():
    opts = dataclasses.replace(OPTS, spread_prior_lines=0.0, mad_floor=0.01, min_entity_rows=5)
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 50.0])
    codes = np.array([0, 0, 0, 0, 0, 1])
    stats = _robust_entity_stats(x, codes, 2, opts)
    # entity 1 has a single line: compared with the file median 3.5 and MAD 1.5
    assert stats.median[5] == 3.5
    assert stats.scale[5] == pytest.approx(1.5 * 1.4826)


def test_trailing_counts_per_entity_and_window():
    codes = np.array([0, 0, 0, 1])
    seconds = np.array([0, 3600, 90_000, 3600])
    day, week = _trailing_counts(codes, seconds, (86_400, 7 * 86_400))
    # row 2 at 90,000 s: the day window (3,600, 90,000] holds only itself; the week all three
    assert day.tolist() == [1, 2, 1, 1]
    assert week.tolist() == [1, 2, 3, 1]


def test_trailing_median_looks_only_at_earlier_lines_of_the_same_entity():
    opts = dataclasses.replace(OPTS, recent_window=3, recent_min_periods=2)
    x = np.array([1.0, 100.0, 2.0, 200.0, 3.0, 300.0, 4.0, 5.0, 6.0])
    codes = np.array([0, 1, 0, 1, 0, 1, 0, 0, 0])
    seconds = np.arange(9)
    result = _trailing_median(x, codes, seconds, opts)
    # entity 0 sees 1, 2, 3, 4, 5, 6: medians of the previous (up to) 3 values
    assert np.isnan(result[0]) and np.isnan(result[2])
    assert result[[4, 6, 7, 8]].tolist() == [1.5, 2.0, 3.0, 4.0]
    # entity 1 sees 100, 200, 300
    assert np.isnan(result[1]) and np.isnan(result[3])
    assert result[5] == 150.0


def test_round_level_and_first_digit():
    amounts = np.array([1234.56, 12.0, 120.0, 5000.0, 0.0, 0.07])
    assert _round_level(amounts).tolist() == [0, 1, 2, 4, 0, 0]
    assert _first_digit(amounts).tolist() == [1, 1, 1, 5, 0, 7]


def test_missing_columns_are_skipped_with_a_reason():
    frame = ledger().drop(columns=["vendor", "account"])
    features = build_features(frame)
    skipped = {item["feature"]: item["reason"] for item in features.skipped}
    for name in (
        "amount_vs_vendor",
        "amount_vs_account",
        "rare_user_account",
        "rare_vendor_account",
        "vendor_burst_1d",
        "vendor_burst_7d",
    ):
        assert "missing" in skipped[name]
    assert skipped["rule_flags"] == "no rule findings were supplied"
    assert "amount_vs_user" in features.names
    assert not any("vendor" in name or "account" in name for name in features.names)


def test_label_never_becomes_a_feature():
    frame = ledger()
    frame["label"] = pd.array(np.arange(len(frame)) % 2, dtype="Int64")
    features = build_features(frame)
    assert not any("label" in name for name in features.names)
    pd.testing.assert_frame_equal(features.matrix, build_features(ledger()).matrix)


def test_rule_flags_become_counts_and_severity_sums():
    frame = ledger(rows=100)
    flags = pd.DataFrame(
        {
            "row_number": [5, 5, 9],
            "rule_code": ["DUP_EXACT", "WEEKEND_POSTING", "ROUND_AMOUNT"],
            "severity": ["high", "low", "low"],
            "reason": ["a", "b", "c"],
            "details": [None] * 3,
            "group_id": [None] * 3,
            "analytics_type": ["duplicate_analysis", "anomaly_detection", "anomaly_detection"],
        }
    )
    features = build_features(frame, flags)
    position = {5: 4, 9: 8}
    assert features.matrix["rule_count"].iloc[position[5]] == 2
    assert features.matrix["rule_severity_sum"].iloc[position[5]] == 4.0  # high 3 + low 1
    assert features.matrix["rule_severity_sum"].iloc[position[9]] == 1.0
    assert features.matrix["duplicate_flags"].iloc[position[5]] == 1
    assert features.rule_score.sum() == 5.0


def test_burst_far_beyond_float_range_stays_finite():
    import numpy as np

    from fintrace_pipeline.ml.features import MAX_DECADES, _burst_significance

    values = _burst_significance(np.array([5000.0, 3.0]), np.array([0.01, 1.0]), windows_in_file=30)
    assert np.isfinite(values).all()
    assert values[0] == MAX_DECADES - np.log10(30) and values[1] == 0.0


def test_group_findings_are_context_not_row_evidence():
    frame = ledger(rows=100)
    flags = pd.DataFrame(
        {
            "row_number": [5, 5, 9, 9, 12],
            "rule_code": [
                "USER_AMOUNT_OUTLIER",
                "VENDOR_VOLUME_SPIKE",
                "VENDOR_VOLUME_SPIKE",
                "ENDING_DIGITS_HABIT",
                "HIST_SPEND_SHIFT",
            ],
            "severity": ["medium"] * 5,
            "reason": list("abcde"),
            "details": [None] * 5,
            "group_id": [None] * 5,
            "analytics_type": ["anomaly_detection"] * 4 + ["period_comparison"],
        }
    )
    features = build_features(frame, flags)
    position = {5: 4, 9: 8, 12: 11}
    # Only the row's own outlier counts; the vendor's busy week, the digit habit and the month do not.
    assert features.rule_score[position[5]] == 2.0
    assert features.rule_score[position[9]] == 0.0 and features.rule_score[position[12]] == 0.0
    assert features.rule_score.sum() == 2.0
    assert features.matrix["rule_count"].iloc[position[5]] == 1
    assert features.matrix["anomaly_flags"].iloc[position[9]] == 0
    assert features.matrix["group_findings"].iloc[position[9]] == 2
    assert features.matrix["group_findings"].iloc[position[5]] == 1
    # Counted for the reasons, never handed to the detectors.
    assert "group_findings" not in features.detector_names
    assert any(h["feature"] == "group_findings" for h in features.held_back)


def test_catalogue_marks_findings_about_groups():
    from fintrace_pipeline.rules import RULES

    group = {code for code, rule in RULES.items() if rule.describes_group}
    assert {"VENDOR_VOLUME_SPIKE", "PERIOD_END_ENTRY", "ENDING_DIGITS_HABIT", "BENFORD_DIGIT"} <= group
    assert not group & {"USER_AMOUNT_OUTLIER", "DUP_EXACT", "JUST_BELOW_LIMIT", "SELF_APPROVED"}
