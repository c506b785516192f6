import json

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.analytics.duplicates import DuplicateAnalysisOptions, run_duplicate_analysis
from fintrace_pipeline.analytics.duplicates.candidates import select_candidates
from fintrace_pipeline.analytics.duplicates.checks import expected_chance_pairs
from fintrace_pipeline.analytics.duplicates.normalize import edit_distances_within, normalize_invoice, normalize_vendor
from fintrace_pipeline.findings import COMPLETED, FLAG_COLUMNS, SKIPPED

VENDOR_CODES = [
    "DUP_EXACT",
    "DUP_INVOICE_AMOUNT_DIFF",
    "DUP_VENDOR_AMOUNT_NEAR_DATE",
    "DUP_INVOICE_NORMALIZED",
    "DUP_VENDOR_NAME_VARIANT",
]
INVOICE_CODES = ["DUP_EXACT", "DUP_INVOICE_AMOUNT_DIFF", "DUP_INVOICE_NORMALIZED", "DUP_VENDOR_NAME_VARIANT"]


def ledger(rows: list[tuple], columns: tuple[str, ...] = ("posting_date", "amount", "vendor", "invoice_number")):
    """A canonical frame from (posting_date, amount, text...) tuples; row_number is 1-based."""
    frame = pd.DataFrame(rows, columns=list(columns))
    frame.insert(0, "row_number", np.arange(1, len(frame) + 1, dtype="int64"))
    frame["posting_date"] = pd.to_datetime(frame["posting_date"])
    frame["amount"] = frame["amount"].astype("float64")
    for column in columns[2:]:
        frame[column] = pd.array(frame[column].tolist(), dtype="string")
    return frame


def flags_of(result, code: str) -> pd.DataFrame:
    return result.flags[result.flags["rule_code"] == code].reset_index(drop=True)


def skipped_checks(result) -> dict[str, str]:
    return {s["check"]: s["reason"] for s in result.skipped}


# --- normalisation --------------------------------------------------------------------------------


def test_normalize_invoice_ignores_case_spacing_punctuation_and_leading_zeros():
    values = pd.Series(["INV-0042", "inv 42", "INV42", "0042", "B/2025/0123", "B/2025/123", "INV-0", "--"])
    assert normalize_invoice(values).tolist() == ["INV42", "INV42", "INV42", "42", "B2025123", "B2025123", "INV0", "--"]
    assert normalize_invoice(values, drop_alpha_prefix=True).tolist()[:4] == ["42", "42", "42", "42"]


def test_normalize_vendor_drops_case_punctuation_and_legal_forms():
    values = pd.Series(
        [
            "Acme Supplies, Ltd.",
            "ACME SUPPLIES LIMITED",
            "The Acme Supplies Inc",
            "Acme L.L.C.",
            "Smith & Co",
            "Café Nero GmbH",
            "Inc",
        ]
    )
    assert normalize_vendor(values).tolist() == [
        "ACME SUPPLIES",
        "ACME SUPPLIES",
        "ACME SUPPLIES",
        "ACME",
        "SMITH",
        "CAFE NERO",
        "INC",
    ]


def test_edit_distances_are_exact_up_to_the_limit():
    left = np.array(["KITTEN", "FLAW", "ACME SUPPLIES", "ABC", "", "SAME"], dtype=object)
    right = np.array(["SITTING", "LAWN", "ACME SUPLIES", "XYZABC", "AB", "SAME"], dtype=object)
    assert edit_distances_within(left, right, 3).tolist() == [3, 2, 1, 3, 2, 0]
    # Beyond the limit the distance is reported as limit + 1.
    assert edit_distances_within(left, right, 1).tolist() == [2, 2, 1, 2, 2, 0]


# --- the six tests ---------------------------------------------------------------------------------


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
        "Same vendor Gamma Services and amount 300.00 as row 3 posted 5 days earlier (2024-05-20), under a "
        "different invoice number (none vs G-103)",
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


# --- what is not a candidate ----------------------------------------------------------------------


def test_reversal_with_same_invoice_cancels_its_original():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-07-01", 700.0, "Omega Partners", "O-5"),
                ("2024-07-02", -700.0, "Omega Partners", "O-5"),  # reverses row 1
                ("2024-07-03", 700.0, "Omega Partners", "O-5"),  # the corrected posting
            ]
        )
    )
    assert result.flags.empty
    assert result.sections["risk_assessment"]["candidates"]["offsetting_invoice_lines_removed"] == 2
    assert result.sections["risk_assessment"]["candidates"]["candidate_lines"] == 1


def test_line_described_as_reversal_cancels_the_latest_earlier_line():
    columns = ("posting_date", "amount", "vendor", "description")
    rows = [
        ("2024-08-01", 800.0, "Sigma Freight", "Freight August"),
        ("2024-08-02", -800.0, "Sigma Freight", "Reversal of payment"),
        ("2024-08-03", 800.0, "Sigma Freight", "Freight August"),
    ]
    result = run_duplicate_analysis(ledger(rows, columns))
    assert result.flags.empty
    candidates = result.sections["risk_assessment"]["candidates"]
    assert (candidates["described_reversals_removed"], candidates["lines_reversed_by_description"]) == (1, 1)

    # Without the reversal the re-posting is a near-date duplicate of row 1.
    control = run_duplicate_analysis(ledger([rows[0], rows[2]], columns))
    assert flags_of(control, "DUP_VENDOR_AMOUNT_NEAR_DATE")["row_number"].tolist() == [2]
    # With reversal detection switched off, the reversal line itself joins the group.
    off = run_duplicate_analysis(ledger(rows, columns), DuplicateAnalysisOptions(reversal_pattern=None))
    assert flags_of(off, "DUP_VENDOR_AMOUNT_NEAR_DATE")["row_number"].tolist() == [2, 3]


def test_lines_without_vendor_or_amount_are_not_compared():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-03-01", 1500.0, None, "INV-1"),
                ("2024-03-01", 1500.0, "  ", "INV-1"),
                ("2024-03-01", 0.0, "Acme Ltd", "INV-2"),
                ("2024-03-01", 0.0, "Acme Ltd", "INV-2"),
                ("2024-03-01", 42.0, "Acme Ltd", "INV-3"),
            ]
        )
    )
    assert result.flags.empty
    candidates = result.sections["risk_assessment"]["candidates"]
    assert (candidates["zero_amount_lines"], candidates["lines_without_vendor"], candidates["candidate_lines"]) == (
        2,
        2,
        1,
    )


# --- skips, empty input, summary and sections -----------------------------------------------------


def test_no_vendor_column_skips_vendor_tests_but_compares_journal_entries():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-06-03", 5000.0, "JE-1"),
                ("2024-06-03", -5000.0, "JE-1"),
                ("2024-06-03", 5000.0, "JE-2"),
                ("2024-06-03", -5000.0, "JE-2"),
            ],
            ("posting_date", "amount", "je_number"),
        )
    )
    assert result.status == COMPLETED
    # Every test reading an absent column is skipped, naming all the absent columns it reads.
    assert skipped_checks(result) == {
        code: "no vendor column" if code not in INVOICE_CODES else "no vendor or invoice_number column"
        for code in VENDOR_CODES
    }
    same = flags_of(result, "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR")
    assert same["row_number"].tolist() == [3, 4]
    assert same["reason"][0] == (
        "Same amount 5,000.00 on 2024-06-03 as row 1, in another journal entry "
        "(JE-2 vs JE-1); the file names no vendors"
    )
    assert result.sections["risk_assessment"]["same_amount_date_basis"] == "journal entry"
    assert result.sections["risk_assessment"]["tests"]["DUP_EXACT"]["ran"] is False


def test_no_invoice_column_skips_invoice_tests():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-05-01", 300.0, "Gamma Services"),
                ("2024-05-02", 300.0, "Gamma Services"),
            ],
            ("posting_date", "amount", "vendor"),
        )
    )
    assert skipped_checks(result) == {code: "no invoice_number column" for code in INVOICE_CODES}
    near = flags_of(result, "DUP_VENDOR_AMOUNT_NEAR_DATE")
    assert near["reason"].tolist() == [
        "Same vendor Gamma Services and amount 300.00 as row 1 posted 1 day earlier "
        "(2024-05-01), neither with an invoice number"
    ]


def test_blank_vendor_column_is_reported_as_empty():
    result = run_duplicate_analysis(ledger([("2024-05-01", 300.0, None, "A"), ("2024-05-02", 300.0, "", "B")]))
    assert skipped_checks(result) == {code: "vendor column is empty" for code in VENDOR_CODES}


def test_missing_required_column_skips_the_stage():
    frame = ledger([("2024-05-01", 300.0, "Acme", "A")]).drop(columns="amount")
    result = run_duplicate_analysis(frame)
    assert result.status == SKIPPED
    assert result.error_message == "missing required column(s): amount"


def test_empty_frame():
    result = run_duplicate_analysis(ledger([]))
    assert result.status == COMPLETED
    assert list(result.flags.columns) == list(FLAG_COLUMNS)
    assert result.flags.empty
    assert result.summary == {
        "total_transactions": 0,
        "total_amount": 0.0,
        "flagged_transactions": 0,
        "high_risk_transactions": 0,
        "duplicates_found": 0,
    }
    json.dumps(result.sections, allow_nan=False)


def test_summary_and_bounded_sections():
    rows = [
        ("2024-03-02", 1200.0, "Acme Ltd", "INV-0042"),
        ("2024-03-05", 1200.0, "Acme Ltd", "INV-0042"),
        ("2024-03-06", 1200.0, "Acme Ltd", "INV-0042"),
        ("2024-03-07", 1200.0, "Acme Ltd", "INV-0042"),
        ("2024-04-01", 90.0, "Kappa Ltd", "K-1"),
        ("2024-04-02", 90.0, "Kappa Ltd", "K-1"),
        ("2024-04-10", 400.0, "Lambda Ltd", "L-1"),
        ("2024-04-12", 400.0, "Lambda Ltd", "L-2"),
        ("2024-04-12", -50.0, "Lambda Ltd", "L-3"),
    ]
    frame = ledger(rows)
    frame["user"] = pd.array(["ann", "bob", "ann", "ann", "cy", "cy", "bob", "bob", "bob"], dtype="string")
    result = run_duplicate_analysis(frame, DuplicateAnalysisOptions(top_n_groups=1, max_members_listed=2))
    assert result.summary == {
        "total_transactions": 9,
        "total_amount": 5780.0,
        "flagged_transactions": 5,
        "high_risk_transactions": 4,
        "duplicates_found": 5,
        "unique_users": 3,
    }
    risk = result.sections["risk_assessment"]
    assert risk["flagged_rows"] == 5
    assert risk["value_at_risk"] == 3 * 1200.0 + 90.0 + 400.0
    exact_groups = risk["top_groups"]["DUP_EXACT"]
    assert len(exact_groups) == 1  # top 1 of 2 groups, by value at risk
    assert exact_groups[0]["value_at_risk"] == 3600.0
    assert exact_groups[0]["member_count"] == 4
    assert len(exact_groups[0]["members"]) == 2
    chart = {entry["rule_code"]: entry for entry in result.sections["chart_data"]["duplicates_by_test"]}
    assert (chart["DUP_EXACT"]["groups"], chart["DUP_EXACT"]["flagged_rows"]) == (2, 4)
    assert chart["DUP_VENDOR_AMOUNT_NEAR_DATE"]["value_at_risk"] == 400.0
    assert result.sections["chart_data"]["flagged_by_month"] == [
        {"month": "2024-03", "flagged_rows": 3, "value_at_risk": 3600.0},
        {"month": "2024-04", "flagged_rows": 2, "value_at_risk": 490.0},
    ]
    json.dumps(result.sections, allow_nan=False)


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
