from __future__ import annotations

from fintrace_pipeline.analytics.duplicates import DuplicateAnalysisOptions, run_duplicate_analysis
from fintrace_pipeline_tests.analytics.duplicates.frames import ledger
from fintrace_pipeline_tests.analytics.flagged import flags_of


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
