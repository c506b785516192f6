import json
import math

import numpy as np
import pytest

from fintrace_pipeline.analytics.benford import (
    benford_test,
    conformity,
    count_statistics,
    expected_proportions,
    leading_digits,
)


def test_expected_proportions_follow_log10_law():
    first = expected_proportions(1)
    assert len(first) == 9
    assert first[0] == pytest.approx(0.30103, abs=1e-5)
    assert first[8] == pytest.approx(0.04576, abs=1e-5)
    two = expected_proportions(2)
    assert len(two) == 90
    assert two[0] == pytest.approx(0.041393, abs=1e-6)  # "10"
    assert two[37] == pytest.approx(0.009143, abs=1e-6)  # "47"
    assert first.sum() == pytest.approx(1.0) and two.sum() == pytest.approx(1.0)


def test_leading_digits_are_exact_and_skip_small_amounts():
    amounts = np.array([10.0, 99.99, 0.5, -1234.56, 100.0, 1_000_000.0, 9.99, np.nan, 29.999999])
    assert leading_digits(amounts, 2).tolist() == [10, 99, 0, 12, 10, 10, 0, 0, 30]
    assert leading_digits(amounts, 1).tolist() == [1, 9, 0, 1, 1, 1, 0, 0, 3]


def test_benford_test_all_ones_is_nonconforming_with_hand_computed_statistics():
    result = benford_test(np.full(100, 1500.0), digits=1)
    assert result.n == 100
    assert result.counts.tolist() == [100, 0, 0, 0, 0, 0, 0, 0, 0]
    # MAD = (|1 − p1| + Σ p2..p9) / 9 = 2 · 0.69897 / 9
    assert result.mad == pytest.approx(2 * 0.69897 / 9, abs=1e-5)
    # χ² = n(1 − p1)²/p1 + n(1 − p1) = n(1 − p1)/p1
    assert result.chi_square == pytest.approx(232.1928, abs=1e-3)
    # z for digit 1: (|1 − 0.30103| − 1/200) / sqrt(0.30103 · 0.69897 / 100)
    assert result.z[0] == pytest.approx(15.13, abs=0.01)
    assert result.conformity == "nonconformity"
    assert result.chi_square_exceeds_5pct


def test_log_uniform_amounts_conform_closely():
    amounts = 10 ** (1 + (np.arange(10_000) + 0.5) / 10_000 * 3)  # log-uniform over [10, 10,000)
    first, two = benford_test(amounts, 1), benford_test(amounts, 2)
    assert first.n == two.n == 10_000
    assert first.mad < 0.001 and first.conformity == "close conformity"
    assert two.mad < 0.0005 and two.conformity == "close conformity"
    assert not first.chi_square_exceeds_5pct


def test_conformity_thresholds_match_nigrini():
    assert [conformity(m, 1) for m in (0.006, 0.0061, 0.012, 0.015, 0.0151)] == [
        "close conformity",
        "acceptable conformity",
        "acceptable conformity",
        "marginal conformity",
        "nonconformity",
    ]
    assert [conformity(m, 2) for m in (0.0012, 0.0018, 0.0022, 0.0023)] == [
        "close conformity",
        "acceptable conformity",
        "marginal conformity",
        "nonconformity",
    ]


def test_count_statistics_works_per_group_row():
    counts = np.zeros((2, 9))
    counts[0, 0] = 100
    counts[1] = np.round(expected_proportions(1) * 1000)
    stats = count_statistics(counts, 1)
    assert stats.n.tolist() == [100, 1000]
    assert stats.mad[0] == pytest.approx(2 * 0.69897 / 9, abs=1e-5)
    assert stats.mad[1] < 0.001


def test_empty_input_and_json_output():
    empty = benford_test(np.array([1.0, 5.0]), 1)
    assert empty.n == 0 and empty.conformity == "insufficient data" and math.isnan(empty.mad)
    summary = benford_test(np.full(100, 1500.0), 2).to_dict()
    assert len(summary["proportions"]) == 90
    assert summary["proportions"][5] == {
        "digit": 15,
        "count": 100,
        "expected": pytest.approx(0.028029, abs=1e-6),
        "observed": 1.0,
        "z": pytest.approx(summary["proportions"][5]["z"]),
    }
    assert summary["degrees_of_freedom"] == 89 and summary["chi_square_critical_5pct"] == 112.022
    json.dumps(summary, allow_nan=False)
    with pytest.raises(ValueError):
        expected_proportions(3)
