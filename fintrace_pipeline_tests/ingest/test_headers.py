from __future__ import annotations

from fintrace_pipeline.ingest.headers import find_header_row, unique_headers


def test_find_header_row_skips_title_rows():
    rows = [
        ["General Ledger FY2024"],
        [],
        ["Company", "Acme"],
        ["Date", "Account", "Amount"],
        ["1/2/2024", "6000", "5"],
    ]
    assert find_header_row(rows) == 3
    assert find_header_row([["a", "b"], ["1", "2"]]) is None
    assert find_header_row([["Title"], ["When", "How much"]], {"posting_date": "When", "amount": "How much"}) == 1


def test_find_header_row_below_an_oracle_style_parameter_block():
    rows = [
        ["Invoices Over Specified Nett Amount", "", ""],
        ["Report Date:\u2020 02/07/2012", "", ""],
        ["Invoice Approval Date From: 01-JUN-2012", "", ""],
        ["", "", ""],
        ["Body", "Supplier Name", "Invoice Creation Date", "Invoice Nett Amount"],
    ]
    assert find_header_row(rows) == 4


def test_unique_headers_keep_the_text_and_name_blanks_and_repeats():
    assert unique_headers(["Amount", "", "Amount", "Name:  "]) == ["Amount", "column 2", "Amount (2)", "Name:  "]
