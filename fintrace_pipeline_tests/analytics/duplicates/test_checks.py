from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.analytics.duplicates import DuplicateAnalysisOptions, run_duplicate_analysis
from fintrace_pipeline.analytics.duplicates.candidates import select_candidates
from fintrace_pipeline.analytics.duplicates.checks import expected_chance_pairs
from fintrace_pipeline_tests.analytics.duplicates.frames import ledger
from fintrace_pipeline_tests.analytics.flagged import flags_of


def test_exact_duplicates_keep_the_earliest_and_flag_the_rest():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-03-05", 1200.0, "Acme Ltd", "INV-0042"),
                ("2024-03-09", 1200.0, "Acme Ltd", "INV-0042"),
                ("2024-03-02", 1200.0, "Acme Ltd", "INV-0042"),  # earliest posting: the kept original
                ("2024-03-02", 1200.0, "Acme Ltd", "INV-0043"),  # other invoice, same day: not an exact twin
                ("2024-03-02", 1200.01, "Acme Ltd", "INV-0044"),
            ]
        )
    )
    exact = flags_of(result, "DUP_EXACT")
    assert exact["row_number"].tolist() == [1, 2]
    assert exact["group_id"].tolist() == ["DUP_EXACT-000001", "DUP_EXACT-000001"]
    assert exact["severity"].tolist() == ["high", "high"]
    assert exact["reason"][0] == (
        "Same vendor Acme Ltd, invoice INV-0042 and amount 1,200.00 as row 3 (posted 2024-03-02)"
    )
    assert exact["details"][1] == {
        "group_id": "DUP_EXACT-000001",
        "twin_row_number": 3,
        "twin_posting_date": "2024-03-02",
        "amount": 1200.0,
        "vendor": "Acme Ltd",
        "invoice_number": "INV-0042",
    }
    test = result.sections["risk_assessment"]["tests"]["DUP_EXACT"]
    assert (test["groups"], test["lines_in_groups"], test["flagged_rows"], test["value_at_risk"]) == (1, 3, 2, 2400.0)
    group = result.sections["risk_assessment"]["top_groups"]["DUP_EXACT"][0]
    assert group["group_id"] == "DUP_EXACT-000001"
    assert [(m["row_number"], m["flagged"]) for m in group["members"]] == [(3, False), (1, True), (2, True)]


def test_same_invoice_different_amount():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-04-01", 1000.0, "Beta GmbH", "7781"),
                ("2024-04-03", 1000.0, "Beta GmbH", "7781"),  # exact copy: DUP_EXACT's business, not a new amount
                ("2024-04-20", 1250.0, "Beta GmbH", "7781"),
                ("2024-04-22", -300.0, "Beta GmbH", "7781"),  # a partial credit note is not a second bill
                ("2024-04-20", 990.0, "Beta GmbH", "7782"),
            ]
        )
    )
    diff = flags_of(result, "DUP_INVOICE_AMOUNT_DIFF")
    assert diff["row_number"].tolist() == [3]
    assert diff["severity"][0] == "medium"
    assert diff["reason"][0] == (
        "Same vendor Beta GmbH and invoice 7781 as row 1 (posted 2024-04-01) but amount 1,250.00 instead of 1,000.00"
    )
    assert diff["details"][0]["twin_amount"] == 1000.0
    assert diff["details"][0]["difference"] == 250.0
    assert flags_of(result, "DUP_EXACT")["row_number"].tolist() == [2]
    assert result.sections["risk_assessment"]["tests"]["DUP_INVOICE_AMOUNT_DIFF"]["value_at_risk"] == 1250.0


def test_same_vendor_and_amount_within_days_under_different_invoices():
    rows = [
        ("2024-05-01", 300.0, "Gamma Services", "G-101"),
        ("2024-05-04", 300.0, "Gamma Services", "G-102"),  # 3 days after row 1
        ("2024-05-20", 300.0, "Gamma Services", "G-103"),  # 16 days later: a new group starts
        ("2024-05-25", 300.0, "Gamma Services", None),  # 5 days after row 3, no invoice number
        ("2024-05-27", 300.0, "Gamma Services", "g 103"),  # same invoice as row 3 once normalised
        ("2024-06-10", 300.0, "Gamma Services", "G-104"),  # 14 days after row 5
        ("2024-05-02", 301.0, "Gamma Services", "G-105"),
    ]
    result = run_duplicate_analysis(ledger(rows))
    near = flags_of(result, "DUP_VENDOR_AMOUNT_NEAR_DATE")
    assert near["row_number"].tolist() == [2, 4]
    assert near["group_id"].tolist() == ["DUP_VENDOR_AMOUNT_NEAR_DATE-000001", "DUP_VENDOR_AMOUNT_NEAR_DATE-000002"]
    assert near["reason"].tolist() == [
        "Same vendor Gamma Services and amount 300.00 as row 1 posted 3 days earlier (2024-05-01), under a "
        "different invoice number (G-102 vs G-101)",
        "Same vendor Gamma Services and amount 300.00 as row 3 posted 5 days earlier (2024-05-20), only one of "
        "the two with an invoice number (G-103)",
    ]
    assert near["details"][1]["days_apart"] == 5
    assert near["details"][1]["invoice_number"] is None
    # Row 5 repeats row 3's invoice: that is the normalised-invoice test, not this one.
    assert flags_of(result, "DUP_INVOICE_NORMALIZED")["row_number"].tolist() == [5]

    narrow = run_duplicate_analysis(ledger(rows), DuplicateAnalysisOptions(near_date_days=3))
    assert flags_of(narrow, "DUP_VENDOR_AMOUNT_NEAR_DATE")["row_number"].tolist() == [2]
    assert narrow.parameters["near_date_days"] == 3


def test_invoice_numbers_equal_after_normalisation():
    rows = [
        ("2024-02-01", 560.0, "Delta Inc", "INV-0042"),
        ("2024-02-20", 560.0, "Delta Inc", "inv 42"),
        ("2024-02-21", 560.0, "DELTA INCORPORATED", "INV42"),  # vendor equal once normalised too
        ("2024-02-22", 560.0, "Delta Inc", "0042"),  # only equal when the alpha prefix is dropped
        ("2024-02-23", 560.0, "Delta Inc", "INV-0042"),  # raw repeat of row 1: DUP_EXACT
        ("2024-02-24", 561.0, "Delta Inc", "INV 42"),  # another amount
    ]
    result = run_duplicate_analysis(ledger(rows))
    normalized = flags_of(result, "DUP_INVOICE_NORMALIZED")
    assert normalized["row_number"].tolist() == [2, 3]
    assert normalized["severity"].tolist() == ["high", "high"]
    assert normalized["reason"][0] == (
        "Invoice inv 42 equals invoice INV-0042 of row 1 (posted 2024-02-01) once case, spacing, punctuation and "
        "leading zeros are ignored; same vendor Delta Inc and amount 560.00"
    )
    assert normalized["details"][1]["normalized_invoice"] == "INV42"
    assert flags_of(result, "DUP_EXACT")["row_number"].tolist() == [5]

    loose = run_duplicate_analysis(ledger(rows), DuplicateAnalysisOptions(drop_invoice_alpha_prefix=True))
    assert flags_of(loose, "DUP_INVOICE_NORMALIZED")["row_number"].tolist() == [2, 3, 4]


def test_vendor_name_variants_with_same_invoice_and_amount():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-01-10", 500.0, "Acme Supplies Ltd", "A-9"),
                ("2024-01-12", 500.0, "ACME SUPPLIES LIMITED", "a9"),  # equal once normalised, invoice too
                ("2024-01-15", 500.0, "Acme Suplies Ltd", "A-9"),  # one typo
                ("2024-01-16", 500.0, "Acme Ltd", "A-9"),  # a different (shorter) name: 9 edits away
                ("2024-01-10", 750.0, "Store 12 Holdings", "S-1"),
                ("2024-01-11", 750.0, "Store 13 Holdings", "S-1"),  # numbers tell vendors apart
                ("2024-01-10", 80.0, "Abc Co", "X-1"),
                ("2024-01-11", 80.0, "Abd Co", "X-1"),  # too short to trust an edit
            ]
        )
    )
    variants = flags_of(result, "DUP_VENDOR_NAME_VARIANT")
    assert variants["row_number"].tolist() == [2, 3]
    assert set(variants["group_id"]) == {"DUP_VENDOR_NAME_VARIANT-000001"}
    assert variants["reason"].tolist() == [
        "Vendor ACME SUPPLIES LIMITED is a variant of Acme Supplies Ltd (row 1, posted 2024-01-10; names equal once "
        "case, punctuation and legal forms are ignored) with the same invoice a9 and amount 500.00",
        "Vendor Acme Suplies Ltd is a variant of Acme Supplies Ltd (row 1, posted 2024-01-10; names 1 edit apart) "
        "with the same invoice A-9 and amount 500.00",
    ]
    assert [d["edit_distance"] for d in variants["details"]] == [0, 1]
    # Row 2's invoice is spelt differently as well, so it is also a normalised-invoice duplicate of row 1
    # (same normalised vendor): one flag per code. Row 3's typo keeps it out of that test.
    assert result.flags[result.flags["row_number"] == 2]["rule_code"].tolist() == [
        "DUP_INVOICE_NORMALIZED",
        "DUP_VENDOR_NAME_VARIANT",
    ]
    assert result.flags[result.flags["row_number"] == 3]["rule_code"].tolist() == ["DUP_VENDOR_NAME_VARIANT"]


def test_same_amount_same_date_to_different_vendors():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-06-03", 5000.0, "Gamma Corp", "G-1"),
                ("2024-06-03", 5000.0, "Delta Inc", "D-9"),
                ("2024-06-03", -5000.0, "Epsilon LLC", "E-3"),  # compared by absolute value
                ("2024-06-03", 5000.0, "GAMMA CORPORATION", "G-7"),  # the same vendor as row 1
                ("2024-06-04", 5000.0, "Zeta PLC", "Z-1"),  # next day
                ("2024-06-03", 999.0, "Eta Ltd", "H-1"),
                ("2024-06-03", 999.0, "Theta Ltd", "T-1"),  # below the 1,000 floor
            ]
        )
    )
    same = flags_of(result, "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR")
    assert same["row_number"].tolist() == [2, 3]
    assert same["severity"].tolist() == ["low", "low"]
    assert same["reason"][0] == (
        "Same amount 5,000.00 on 2024-06-03 as row 1, paid to a different vendor (Delta Inc vs Gamma Corp)"
    )
    assert result.sections["risk_assessment"]["tests"]["DUP_SAME_AMOUNT_DATE_DIFF_VENDOR"]["value_at_risk"] == 10000.0

    low_floor = run_duplicate_analysis(
        ledger([("2024-06-03", 999.0, "Eta Ltd", "H-1"), ("2024-06-03", 999.0, "Theta Ltd", "T-1")]),
        DuplicateAnalysisOptions(same_date_min_amount=500),
    )
    assert flags_of(low_floor, "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR")["row_number"].tolist() == [2]


def test_expected_chance_pairs_counts_earlier_lines_of_the_vendor_in_the_window_times_amount_share():
    frame = ledger(
        [
            ("2024-05-01", 5.0, "Alpha", None),
            ("2024-05-02", 5.0, "Alpha", None),  # one earlier Alpha line within 7 days, amount share 3/4
            ("2024-05-11", 7.0, "Alpha", None),  # the earlier lines are 9 and 10 days back
            ("2024-05-01", 5.0, "Beta", None),  # no earlier Beta line
        ]
    )
    candidates = select_candidates(frame, True, True, False, None)
    assert expected_chance_pairs(candidates, 7) == pytest.approx(0.75)
    assert expected_chance_pairs(candidates, 10) == pytest.approx(0.75 + 2 * 0.25)


def test_near_date_pairs_no_more_than_chance_predicts_are_kept_at_low_severity():
    # A busy card terminal: 40 lines a day for two weeks, amounts from 50 everyday prices, so
    # same-amount pairs within a week are routine; one supplier pair elsewhere would not be.
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-03-01", periods=14, freq="D")
    prices = np.round(rng.uniform(2, 30, size=50), 2)
    rows = [(str(day.date()), float(rng.choice(prices)), "Corner Cafe", None) for day in days for _ in range(40)]
    result = run_duplicate_analysis(ledger(rows))
    near = flags_of(result, "DUP_VENDOR_AMOUNT_NEAR_DATE")
    test = result.sections["risk_assessment"]["tests"]["DUP_VENDOR_AMOUNT_NEAR_DATE"]
    chance = test["chance"]
    assert chance["observed_pairs"] == len(near) > 100
    assert chance["expected_by_chance"] >= len(near) * 0.5
    assert chance["explained_by_chance"] is True
    assert test["severity"] == "low"
    assert set(near["severity"]) == {"low"}
    assert near["reason"].str.endswith("so this may be a coincidence").all()


def test_near_date_pairs_beyond_chance_keep_their_severity():
    # Two hundred supplier invoices with distinct amounts, six of them paid twice a few days apart.
    rows = [(f"2024-01-{1 + i % 28:02d}", 1000.0 + 7.31 * i, f"Vendor {i % 40}", f"INV-{i}") for i in range(200)]
    rows += [
        (f"2024-01-{3 + i % 28:02d}", 1000.0 + 7.31 * i, f"Vendor {i % 40}", f"INV-{i}-B")
        for i in (5, 50, 80, 120, 150, 190)
    ]
    result = run_duplicate_analysis(ledger(rows))
    near = flags_of(result, "DUP_VENDOR_AMOUNT_NEAR_DATE")
    assert sorted(near["row_number"]) == [201, 202, 203, 204, 205, 206]
    assert set(near["severity"]) == {"medium"}
    chance = result.sections["risk_assessment"]["tests"]["DUP_VENDOR_AMOUNT_NEAR_DATE"]["chance"]
    assert chance["observed_pairs"] == 6
    assert chance["expected_by_chance"] < 1.0
    assert chance["p_value"] < 0.01
    assert chance["explained_by_chance"] is False
