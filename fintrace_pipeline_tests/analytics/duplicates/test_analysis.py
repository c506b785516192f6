from __future__ import annotations

import json

import pandas as pd

from fintrace_pipeline.analytics.duplicates import DuplicateAnalysisOptions, run_duplicate_analysis
from fintrace_pipeline.findings import COMPLETED, FLAG_COLUMNS, SKIPPED
from fintrace_pipeline_tests.analytics.duplicates.frames import ledger
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks

VENDOR_CODES = [
    "DUP_EXACT",
    "DUP_INVOICE_AMOUNT_DIFF",
    "DUP_VENDOR_AMOUNT_NEAR_DATE",
    "DUP_INVOICE_NORMALIZED",
    "DUP_VENDOR_NAME_VARIANT",
]


INVOICE_CODES = ["DUP_EXACT", "DUP_INVOICE_AMOUNT_DIFF", "DUP_INVOICE_NORMALIZED", "DUP_VENDOR_NAME_VARIANT"]


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
    # With entry numbers the entries are the documents: JE-2 repeats JE-1, both of its lines are flagged.
    same = flags_of(result, "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR")
    assert same["row_number"].tolist() == [3, 4]
    assert (
        same["reason"].tolist()
        == ["Same amount 5,000.00 on 2024-06-03 in JE-2 as in JE-1; the file names no vendors"] * 2
    )
    assert same["details"][0]["je_number"] == "JE-2" and same["details"][0]["twin_je_number"] == "JE-1"
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
    # The file has no invoice numbers, so the reason says nothing about them.
    assert near["reason"].tolist() == [
        "Same vendor Gamma Services and amount 300.00 as row 1 posted 1 day earlier (2024-05-01)"
    ]


def test_near_date_reasons_say_which_of_the_pair_has_an_invoice_number():
    result = run_duplicate_analysis(
        ledger(
            [
                ("2024-05-01", 300.0, "Gamma Services", None),
                ("2024-05-02", 300.0, "Gamma Services", None),
                ("2024-06-03", 450.0, "Gamma Services", None),
                ("2024-06-04", 450.0, "Gamma Services", "G-7"),
            ],
            ("posting_date", "amount", "vendor", "invoice_number"),
        )
    )
    assert flags_of(result, "DUP_VENDOR_AMOUNT_NEAR_DATE")["reason"].tolist() == [
        "Same vendor Gamma Services and amount 300.00 as row 1 posted 1 day earlier (2024-05-01), "
        "neither with an invoice number",
        "Same vendor Gamma Services and amount 450.00 as row 3 posted 1 day earlier (2024-06-03), "
        "only one of the two with an invoice number (G-7)",
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


def test_a_duplicate_document_below_materiality_is_one_severity_level_lower():
    # Two invoices entered twice: 1,200.00 in lines of 700 and 500, and 300.00. With materiality 1,000
    # the first is judged by its document's amount (not its smaller lines), the second is demoted.
    columns = ("posting_date", "amount", "vendor", "invoice_number", "je_number")
    rows = []
    for je, day in (("JE-1", "2024-05-01"), ("JE-2", "2024-05-03")):
        rows += [(day, 700.0, "Acme", "A-1", je), (day, 500.0, "Acme", "A-1", je), (day, -1200.0, "Acme", "A-1", je)]
    for je, day in (("JE-3", "2024-05-01"), ("JE-4", "2024-05-03")):
        rows += [(day, 300.0, "Zeta", "Z-9", je), (day, -300.0, "Zeta", "Z-9", je)]
    frame = ledger(rows, columns)
    plain = flags_of(run_duplicate_analysis(frame), "DUP_EXACT")
    assert set(plain["severity"]) == {"high"}
    demoted = flags_of(run_duplicate_analysis(frame, DuplicateAnalysisOptions(materiality=1000.0)), "DUP_EXACT")
    assert demoted["row_number"].tolist() == plain["row_number"].tolist() == [4, 5, 6, 9, 10]
    assert demoted["severity"].tolist() == ["high", "high", "high", "medium", "medium"]
    assert demoted["details"][3]["severity_before_materiality"] == "high"
    assert demoted["details"][3]["below_materiality"] == 1000.0
    assert "severity_before_materiality" not in demoted["details"][0]
