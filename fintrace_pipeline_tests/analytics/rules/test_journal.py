from __future__ import annotations

from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def test_unbalanced_entries():
    frame = ledger(
        amount=[100, -100, 500, -400, 0.1, 0.2, -0.3], je_number=["JE1", "JE1", "JE2", "JE2", "JE3", "JE3", "JE3"]
    )
    unbalanced = flags_of(run_anomaly_detection(frame), "UNBALANCED_ENTRY")
    assert unbalanced["row_number"].tolist() == [3, 4]
    assert unbalanced["severity"].tolist() == ["high", "high"]
    assert unbalanced["group_id"].tolist() == ["je:JE2", "je:JE2"]
    assert unbalanced["reason"][0] == "Journal entry JE2 (2 lines) has debits 500.00 and credits 400.00: off by 100.00"
    single = run_anomaly_detection(ledger(amount=[100, -50, 20], je_number=["1", "2", "3"]))
    assert skipped_checks(single)["UNBALANCED_ENTRY"] == "journal entries mostly have a single line"


def test_je_number_reused_on_other_dates():
    frame = ledger(posting_date=["2024-03-01", "2024-03-05", "2024-03-05"], je_number=["JE-1", "JE-1", "JE-2"])
    reused = flags_of(run_anomaly_detection(frame), "JE_NUMBER_DUPLICATE")
    assert reused["row_number"].tolist() == [1, 2]
    assert reused["reason"][0] == (
        "Journal entry number JE-1 is used on 2 different posting dates (2024-03-01 to 2024-03-05)"
    )
    assert reused["group_id"].tolist() == ["je:JE-1", "je:JE-1"]


def test_je_number_gaps():
    numbers = ["JE-0001", "JE-0002", "JE-0003", "JE-0007", "JE-0007", "JE-0008", "JE-0010"]
    result = run_anomaly_detection(ledger(je_number=numbers))
    gaps = flags_of(result, "JE_NUMBER_GAP")
    assert gaps["row_number"].tolist() == [4, 5, 7]
    assert gaps["reason"].tolist() == [
        "Journal entry JE-0007 follows JE-0003: 3 numbers missing (4–6)",
        "Journal entry JE-0007 follows JE-0003: 3 numbers missing (4–6)",
        "Journal entry JE-0010 follows JE-0008: 1 number missing (9)",
    ]
    report = result.sections["risk_assessment"]["je_number_gaps"]
    assert report["gaps"] == 2 and report["missing_numbers"] == 4
    assert report["list"][0] == {
        "before": "JE-0003",
        "after": "JE-0007",
        "first_missing": 4,
        "last_missing": 6,
        "missing": 3,
    }
    random_ids = run_anomaly_detection(ledger(je_number=["A1", "A77", "A900", "A5000"]))
    assert flags_of(random_ids, "JE_NUMBER_GAP").empty
    assert "JE_NUMBER_GAP" in skipped_checks(random_ids)
