from __future__ import annotations

import json

import pandas as pd

from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline.analytics.rules.scoring import rule_scores
from fintrace_pipeline.findings import COMPLETED, FLAG_COLUMNS, SKIPPED
from fintrace_pipeline_tests.analytics.flagged import skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ORDINARY_DATE, ledger


def test_rule_scores_sum_severity_weights():
    flags = pd.DataFrame(
        {
            "row_number": [1, 1, 2],
            "rule_code": ["SELF_APPROVED", "WEEKEND_POSTING", "X"],
            "severity": ["high", "low", "medium"],
            "reason": ["", "", ""],
            "details": [{}, {}, {}],
            "group_id": [None, None, None],
        }
    )
    scores = rule_scores(flags)
    assert scores.to_dict() == {1: 4.0, 2: 2.0}
    assert scores.index.name == "row_number"
    assert rule_scores(flags.iloc[0:0]).empty


def test_summary_scores_and_sections():
    frame = ledger(
        posting_date=["2024-03-16", ORDINARY_DATE, ORDINARY_DATE, ORDINARY_DATE],
        amount=[5000, -2000, 123.45, 9900],
        user=["amy", "amy", "bob", "bob"],
        approver=["amy", "kim", "kim", "kim"],
        account=["1000", "1000", "2000", "2000"],
    )
    result = run_anomaly_detection(frame)
    assert result.status == COMPLETED
    assert list(result.flags.columns) == list(FLAG_COLUMNS)
    # row 1: weekend (1) + round (1) + self-approved (3) = 5; row 2: round (1); row 4: below limit (2)
    assert rule_scores(result.flags).to_dict() == {1: 5.0, 2: 1.0, 4: 2.0}
    assert result.summary == {
        "total_transactions": 4,
        "total_amount": 15023.45,
        "flagged_transactions": 3,
        "high_risk_transactions": 1,
        "anomalies_found": 5,
        "unique_users": 2,
        "unique_accounts": 2,
    }
    risk = result.sections["risk_assessment"]
    assert risk["rule_counts"]["ROUND_AMOUNT"] == 2 and risk["rule_counts"]["HOLIDAY_POSTING"] == 0
    assert risk["top_transactions"][0]["row_number"] == 1
    assert risk["top_transactions"][0]["rules"][0] == "SELF_APPROVED"  # strongest first
    assert risk["thresholds"]["round_base"] == 1000.0 == result.parameters["round_base"]
    assert result.sections["user_patterns"]["top_flagged_users"][0]["user"] == "amy"
    json.dumps(result.sections, allow_nan=False)


def test_missing_optional_columns_are_skipped_with_reasons():
    result = run_anomaly_detection(ledger(amount=[100.0, 200.0]))
    skipped = skipped_checks(result)
    assert result.status == COMPLETED
    assert skipped["USER_AMOUNT_OUTLIER"] == "no user column"
    assert skipped["UNUSUAL_USER_ACCOUNT"] == "no user or account column"
    assert skipped["SELF_APPROVED"] == "no user or approver column"
    assert skipped["UNBALANCED_ENTRY"] == "no je_number column"
    assert skipped["MISSING_DESCRIPTION"] == "no description column"
    assert skipped["BACKDATED_ENTRY"] == "no entry_date column"
    assert "unique_users" not in result.summary
    assert result.sections["risk_assessment"]["skipped"] == result.skipped


def test_missing_required_column_skips_the_stage():
    result = run_anomaly_detection(pd.DataFrame({"row_number": [1], "amount": [1.0]}))
    assert result.status == SKIPPED
    assert result.error_message == "missing required column(s): posting_date"


def test_empty_frame():
    frame = ledger(0, posting_date=[], amount=[], user=[], account=[], je_number=[], description=[])
    result = run_anomaly_detection(frame)
    assert result.status == COMPLETED
    assert result.flags.empty and list(result.flags.columns) == list(FLAG_COLUMNS)
    assert result.summary["total_transactions"] == 0 and result.summary["total_amount"] == 0.0
    assert result.summary["flagged_transactions"] == 0 and result.summary["anomalies_found"] == 0
    json.dumps(result.sections, allow_nan=False)
