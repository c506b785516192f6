from __future__ import annotations

from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def test_seldom_used_accounts():
    accounts = ["A"] * 12 + ["B"] * 12 + ["C"] * 2 + ["D"] * 12
    seldom = flags_of(run_anomaly_detection(ledger(account=accounts)), "SELDOM_USED_ACCOUNT")
    assert seldom["row_number"].tolist() == [25, 26]
    assert seldom["reason"][0] == "Account C has only 2 lines in this file (accounts typically have 12)"
    sparse = run_anomaly_detection(ledger(account=["A", "A", "B", "C"]))
    assert flags_of(sparse, "SELDOM_USED_ACCOUNT").empty
    assert skipped_checks(sparse)["SELDOM_USED_ACCOUNT"] == (
        "accounts typically have 1 line (needs ≥ 10 to judge 'seldom')"
    )


def test_unusual_user_account_pairs():
    users = ["u"] * 250 + ["v"] * 100
    accounts = ["1000"] * 249 + ["9999"] + ["1000"] * 99 + ["8888"]
    unusual = flags_of(run_anomaly_detection(ledger(user=users, account=accounts)), "UNUSUAL_USER_ACCOUNT")
    assert unusual["row_number"].tolist() == [250]  # v's single line is 1 % of v's lines: not rare enough
    assert unusual["reason"][0] == "User u posted 1 of 250 lines (0.40 %) to account 9999"
    assert unusual["details"][0]["share_pct"] == 0.4


def test_missing_description():
    frame = ledger(description=["Rent", "", "   ", None])
    missing = flags_of(run_anomaly_detection(frame), "MISSING_DESCRIPTION")
    assert missing["row_number"].tolist() == [2, 3, 4]
    assert set(missing["reason"]) == {"Description is empty"}


def test_self_approved_ignores_case_and_spaces():
    frame = ledger(user=["J Doe", "amy", "kim", None], approver=["jdoe ", "bob", None, "kim"])
    approved = flags_of(run_anomaly_detection(frame), "SELF_APPROVED")
    assert approved["row_number"].tolist() == [1]
    assert approved["severity"].tolist() == ["high"]
    assert approved["reason"][0] == "Posted by J Doe and approved by jdoe: the same person"
