from __future__ import annotations

import numpy as np

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def _log_uniform(n: int, decades: float = 3.0) -> list[float]:
    """``n`` amounts from 10 up, evenly spread on the log scale over ``decades``: they follow Benford's law."""
    return list(np.round(10 ** (1 + (np.arange(n) + 0.5) / n * decades), 2))


def test_benford_flags_nonconforming_vendor_only():
    amounts = [4750.0] * 320 + _log_uniform(300) + _log_uniform(1000) + [4750.0] * 320
    vendors = ["Acme"] * 620 + ["Good"] * 1000 + ["Flat"] * 320
    result = run_anomaly_detection(ledger(amount=amounts, vendor=vendors))
    benford = flags_of(result, "BENFORD_DIGIT")
    assert benford["row_number"].tolist() == list(range(1, 201))  # capped at 200 per group
    assert benford["reason"][0].startswith(
        "Amount starts with 47, which makes up 52.1 % of vendor Acme's 620 amounts vs 0.9 % expected"
    )
    report = result.sections["risk_assessment"]["benford"]
    # Flat bills one amount over and over: Benford's law says nothing about amounts within one decade.
    assert report["by_vendor"]["groups_tested"] == 2 and report["by_vendor"]["groups_too_narrow"] == 1
    assert report["by_vendor"]["nonconforming_groups"] == 1
    assert report["by_vendor"]["top_nonconforming"][0]["vendor"] == "Acme"
    assert report["by_vendor"]["top_nonconforming"][0]["over_represented"] == [47]
    assert report["first_digit"]["n"] == 1940
    assert len(result.sections["chart_data"]["benford_first_digit"]) == 9
    assert "benford_by_user" in skipped_checks(result)


def test_benford_file_test_needs_enough_rows():
    result = run_anomaly_detection(ledger(amount=[1234.5] * 100))
    assert skipped_checks(result)["benford_file"] == "only 100 amounts ≥ 10 (needs 500)"
    assert "first_digit" not in result.sections["risk_assessment"]["benford"]


def test_benford_flags_only_the_digits_that_make_the_group_nonconform():
    # Acme's amounts follow Benford's law but for 150 invoices of 9,512.50 and a chance cluster of 18
    # amounts of 2,345.60: 23 is over-represented (z 3.2), but by no more than one of the 90 first-two
    # digits is by chance, and first digit 2 is itself under-represented.
    amounts = _log_uniform(1000) + [9512.5] * 150 + [2345.6] * 18
    frame = ledger(amount=amounts, vendor=["Acme"] * len(amounts))
    result = run_anomaly_detection(frame)
    benford = flags_of(result, "BENFORD_DIGIT")
    assert set(benford["details"].map(lambda d: d["first_two_digits"])) == {95}
    assert set(range(1001, 1151)) <= set(benford["row_number"]) and benford["row_number"].max() <= 1150
    assert result.sections["risk_assessment"]["benford"]["by_vendor"]["top_nonconforming"][0]["over_represented"] == [
        95
    ]
    per_digit = AnomalyDetectionOptions(benford_min_pair_z=2.576, benford_min_digit_z=-np.inf)
    assert flags_of(run_anomaly_detection(frame, per_digit), "BENFORD_DIGIT")["row_number"].max() == len(amounts)
