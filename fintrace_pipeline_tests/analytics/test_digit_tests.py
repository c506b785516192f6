"""Nigrini's second-digit, last-two digits, summation and number duplication tests on hand-counted amounts."""

from __future__ import annotations

import numpy as np
import pytest

from fintrace_pipeline.analytics.digit_tests import (
    last_two_digits_test,
    number_duplication_test,
    second_digit_expected,
    second_digit_test,
    summation_test,
)
from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline_tests.analytics.flagged import skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def test_second_digit_proportions_are_benfords():
    expected = second_digit_expected()
    assert expected.sum() == pytest.approx(1.0)
    # Nigrini (2012), Table 5.1: 0.11968 for a second digit 0, 0.08500 for 9.
    assert expected[0] == pytest.approx(0.11968, abs=5e-6) and expected[9] == pytest.approx(0.08500, abs=5e-6)


def test_second_digits_are_counted_from_the_first_two():
    test = second_digit_test(np.array([12.0, 13.4, 25.0, 30.5, 9.99, -47.0]), 10.0)
    assert test.counts.tolist() == [1, 0, 1, 1, 0, 1, 0, 1, 0, 0]  # 9.99 is below the minimum
    assert test.n == 5
    expected = second_digit_expected()
    observed = test.counts / 5
    assert test.mad == pytest.approx(np.abs(observed - expected).mean())
    assert test.chi_square == pytest.approx(((test.counts - 5 * expected) ** 2 / (5 * expected)).sum())
    report = test.to_dict()
    assert report["mad_limits"] == {
        "close conformity": 0.008,
        "acceptable conformity": 0.01,
        "marginal conformity": 0.012,
    }
    assert report["degrees_of_freedom"] == 9 and report["chi_square_critical_5pct"] == pytest.approx(16.919, abs=1e-3)
    assert report["conformity"] == "nonconformity" and report["severity"] == "medium"


def test_last_two_digits_read_cents_or_whole_units():
    cents = last_two_digits_test(np.array([10.25, 11.25, 99.99, 5.25]), 10.0)
    assert cents.basis == "cents" and cents.n == 3
    assert cents.counts[25] == 2 and cents.counts[99] == 1
    units = last_two_digits_test(np.array([100.0, 250.0, 1234.0, 50.0]), 10.0)
    # Whole amounts: the last two whole units, of amounts of 100 and more.
    assert units.basis == "units" and units.n == 3
    assert (units.counts[0], units.counts[50], units.counts[34]) == (1, 1, 1)
    even = last_two_digits_test(np.arange(1000, 1100) + 0.0, 10.0, "units")
    assert even.chi_square == 0 and even.conformity == "conformity" and even.verdict()["severity"] is None
    one = last_two_digits_test(np.full(200, 1234.56), 10.0, "cents")
    assert one.chi_square == pytest.approx(200 * 99) and one.conformity == "nonconformity"
    # z = (0.99 - 1/400) / sqrt(0.01 * 0.99 / 200)
    z = pytest.approx(140.357, abs=1e-3)
    assert one.to_dict()["proportions"][56] == {"digit": "56", "count": 200, "expected": 0.01, "observed": 1.0, "z": z}
    with pytest.raises(ValueError, match="basis must be one of"):
        last_two_digits_test(np.array([10.0]), 10.0, "dollars")


def test_summation_finds_the_digit_a_large_amount_inflates():
    report = summation_test(np.array([10.0, 11.0, 50.0, 50.0, 1000.0, 5.0]), 10.0)
    assert report["n"] == 5 and report["total"] == 1121.0
    first = report["top_sums"][0]
    assert first["digit"] == 10 and first["sum"] == 1010.0 and first["count"] == 2
    assert first["share"] == pytest.approx(1010 / 1121, abs=1e-6)
    assert first["times_expected"] == pytest.approx(1010 / 1121 * 90, abs=0.01)
    assert first["largest_amount"] == 1000.0 and first["largest_share_of_sum"] == pytest.approx(1000 / 1010, abs=1e-4)
    assert [t["digit"] for t in report["top_sums"]] == [10, 50, 11]
    assert report["severity"] == "medium" and report["reason"].startswith(
        "Summation test of 5 amounts: the amounts starting with 10 sum to 1,010.00, 81.1× the 1/90"
    )


def test_number_duplication_counts_exact_amounts():
    report = number_duplication_test(np.array([20.0, 20.0, 20.0, -20.0, 35.0, 35.0, 40.0, 3.0]), 10.0)
    assert report["n"] == 7 and report["distinct_amounts"] == 3
    assert report["number_duplication_factor"] == pytest.approx((16 + 4 + 1) / 49, abs=1e-6)
    assert report["most_frequent"] == [
        {"amount": 20.0, "count": 4, "share": pytest.approx(4 / 7, abs=1e-6), "total": 80.0},
        {"amount": 35.0, "count": 2, "share": pytest.approx(2 / 7, abs=1e-6), "total": 70.0},
    ]
    assert (
        report["reason"]
        == "Number duplication of 7 amounts: 20.00 occurs most often, 4 times (57.14 %); 3 distinct amounts"
    )


def test_the_stage_reports_the_digit_tests_beside_benford():
    amounts = list(np.round(10 ** (1 + (np.arange(600) + 0.5) / 600 * 3), 2)) + [777.77] * 60
    result = run_anomaly_detection(ledger(amount=amounts))
    benford = result.sections["risk_assessment"]["benford"]
    assert benford["number_duplication"]["most_frequent"][0] == {
        "amount": 777.77,
        "count": 60,
        "share": pytest.approx(60 / 660, abs=1e-6),
        "total": pytest.approx(46666.2),
    }
    assert benford["last_two_digits"]["proportions"][77]["count"] >= 60
    assert {f["code"] for f in benford["digit_test_findings"]} >= {"LAST_TWO_DIGITS", "NUMBER_DUPLICATION"}
    assert len(result.sections["chart_data"]["benford_second_digit"]) == 10
    assert result.parameters["last_two_digits_basis"] == "auto"
    few = run_anomaly_detection(ledger(amount=[123.45] * 20))
    assert skipped_checks(few)["digit_tests"] == "only 20 amounts ≥ 10 (needs 500)"
