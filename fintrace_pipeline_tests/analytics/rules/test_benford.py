from __future__ import annotations

import numpy as np

from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def test_benford_flags_nonconforming_vendor_only():
    conforming = list(np.round(10 ** (1 + (np.arange(1000) + 0.5) / 1000 * 3), 2))
    amounts = [4750.0] * 320 + conforming
    vendors = ["Acme"] * 320 + ["Good"] * 1000
    result = run_anomaly_detection(ledger(amount=amounts, vendor=vendors))
    benford = flags_of(result, "BENFORD_DIGIT")
    assert benford["row_number"].tolist() == list(range(1, 201))  # capped at 200 per group
    assert benford["reason"][0].startswith(
        "Amount starts with 47, which makes up 100.0 % of vendor Acme's 320 amounts vs 0.9 % expected"
    )
    report = result.sections["risk_assessment"]["benford"]
    assert report["by_vendor"]["groups_tested"] == 2
    assert report["by_vendor"]["nonconforming_groups"] == 1
    assert report["by_vendor"]["top_nonconforming"][0]["vendor"] == "Acme"
    assert report["by_vendor"]["top_nonconforming"][0]["over_represented"] == [47]
    assert report["first_digit"]["n"] == 1320
    assert len(result.sections["chart_data"]["benford_first_digit"]) == 9
    assert "benford_by_user" in skipped_checks(result)


def test_benford_file_test_needs_enough_rows():
    result = run_anomaly_detection(ledger(amount=[1234.5] * 100))
    assert skipped_checks(result)["benford_file"] == "only 100 amounts ≥ 10 (needs 500)"
    assert "first_digit" not in result.sections["risk_assessment"]["benford"]
