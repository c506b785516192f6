from __future__ import annotations

import pytest

from fintrace_pipeline.ingest import IngestError, guess_column_mapping
from fintrace_pipeline.ingest.headers import find_header_row, normalize_header, resolve_mapping, unique_headers


def test_normalize_header_folds_case_punctuation_and_synonymous_words():
    assert normalize_header("  Invoice # ") == "invoice number"
    assert normalize_header("Account No.") == "account number"
    assert normalize_header("Amount (USD)") == "amount"
    assert normalize_header("PostingDate") == "posting date"
    assert normalize_header("Cost Centre") == "cost center"


def test_guess_maps_common_erp_headers():
    headers = [
        "GL Date",
        "Entry Date",
        "Account No",
        "Entered By",
        "Approved By",
        "Supplier",
        "Invoice #",
        "Narrative",
        "JE Number",
        "Amount (USD)",
        "Department",
        "Currency",
        "Transaction ID",
    ]
    assert guess_column_mapping(headers) == {
        "posting_date": "GL Date",
        "entry_date": "Entry Date",
        "account": "Account No",
        "user": "Entered By",
        "approver": "Approved By",
        "vendor": "Supplier",
        "invoice_number": "Invoice #",
        "description": "Narrative",
        "je_number": "JE Number",
        "amount": "Amount (USD)",
        "cost_center": "Department",
        "currency": "Currency",
        "transaction_id": "Transaction ID",
    }


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("Posting Date", "posting_date"),
        ("Post Date", "posting_date"),
        ("GL Account", "account"),
        ("Posted By", "user"),
        ("Created By", "user"),
        ("Vendor Name", "vendor"),
        ("Payee", "vendor"),
        ("Memo", "description"),
        ("Line Description", "description"),
        ("Invoice No", "invoice_number"),
        ("Doc Number", "je_number"),
        ("Journal ID", "je_number"),
        ("Cost Centre", "cost_center"),
        ("Created On", "entry_date"),
        ("Dr", "debit"),
        ("Cr", "credit"),
    ],
)
def test_guess_single_synonym(header, canonical):
    assert guess_column_mapping(["Date", header] if canonical != "posting_date" else [header]).get(canonical) == header


def test_debit_credit_pair_only_without_an_amount_column():
    assert guess_column_mapping(["Date", "Debit", "Credit"]) == {
        "posting_date": "Date",
        "debit": "Debit",
        "credit": "Credit",
    }
    assert guess_column_mapping(["Date", "Debit", "Credit", "Amount"]) == {"posting_date": "Date", "amount": "Amount"}


def test_label_is_never_guessed():
    assert "label" not in guess_column_mapping(["Date", "Amount", "Label", "label", "Is Fraud"])


def test_user_mapping_overrides_guess_and_releases_the_header():
    mapping = resolve_mapping(["Date", "Memo", "Notes", "Amount", "Flag"], {"description": "Notes", "label": "Flag"})
    assert mapping == {"posting_date": "Date", "description": "Notes", "amount": "Amount", "label": "Flag"}
    # The user's amount drops the guessed debit/credit pair.
    assert resolve_mapping(["Date", "Debit", "Credit", "Net"], {"amount": "Net"}) == {
        "posting_date": "Date",
        "amount": "Net",
    }


def test_user_mapping_with_a_missing_header_is_an_error_naming_it():
    with pytest.raises(IngestError, match="'Booking Day'.*no such column"):
        resolve_mapping(["Date", "Amount"], {"posting_date": "Booking Day"})
    with pytest.raises(IngestError, match="unknown target"):
        resolve_mapping(["Date", "Amount"], {"colour": "Date"})


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


def test_unique_headers_names_blanks_and_repeats():
    assert unique_headers(["Amount", "", "Amount", " Amount "]) == ["Amount", "column 2", "Amount (2)", "Amount (3)"]
