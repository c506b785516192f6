"""Accounts named once in a heading row above their lines are carried down to every line."""

from __future__ import annotations

import datetime as dt

import openpyxl

from fintrace_pipeline.ingest import ingest_file

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 100_000}

# QuickBooks "General Ledger": parents in the first column, sub-accounts one column to the right.
GENERAL_LEDGER = (
    ",,Type,Date,Num,Name,Memo,Debit,Credit,Balance\n"
    "Company Checking Account,,,,,,,,,12349.00\n"
    ",,Check,01/02/2024,5001,Kuver Property,Rent,,583.75,11765.25\n"
    ",,Deposit,01/05/2024,,,Deposit,31349.00,,43114.25\n"
    "Total Company Checking Account,,,,,,,31349.00,583.75,43114.25\n"
    "Prepaids,,,,,,,,,0\n"
    ",Prepaid Insurance,,,,,,,,0\n"
    ",,Check,01/29/2024,5021,Gretton Insurance,Policy 203654,6875.00,,6875.00\n"
    ",Total Prepaid Insurance,,,,,,6875.00,0,6875.00\n"
    ",,General Journal,01/31/2024,J-4,,Prepaid other,100.00,,6975.00\n"
    "Total Prepaids,,,,,,,6975.00,0,6975.00\n"
    "TOTAL,,,,,,,38324.00,583.75,\n"
)


def ingest(tmp_path, text: str):
    path = tmp_path / "gl.csv"
    path.write_text(text, encoding="utf-8")
    return ingest_file(path, **LIMITS)


def test_each_line_takes_the_innermost_open_heading(tmp_path):
    result = ingest(tmp_path, GENERAL_LEDGER)
    frame = result.transactions
    assert frame["account"].tolist() == [
        "Company Checking Account",
        "Company Checking Account",
        "Prepaid Insurance",
        "Prepaids",  # after "Total Prepaid Insurance" the line belongs to the parent again
    ]
    assert frame["account_name"].tolist() == frame["account"].tolist()
    assert frame["amount"].tolist() == [-583.75, 31349.0, 6875.0, 100.0]
    assert result.column_mapping["account"] == "column 1"
    details = result.mapping_details["account"]
    assert details["decided_by"] == "heading rows" and details["heading_columns"] == ["column 1", "column 2"]
    assert details["confidence"] == 1.0
    assert "column 1" not in result.unmapped_columns and "column 2" not in result.unmapped_columns


def test_heading_rows_are_rejected_with_their_reason_and_every_row_is_accounted_for(tmp_path):
    result = ingest(tmp_path, GENERAL_LEDGER)
    reasons = dict(zip(result.rejected["row_number"], result.rejected["reason"], strict=True))
    assert [reasons[n] for n in (1, 5, 6)] == ["account heading row"] * 3
    assert [reasons[n] for n in (4, 8, 10, 11)] == ["report footer or subtotal row"] * 4
    assert len(result.transactions) + len(result.rejected) == result.rows_read == 11


def test_an_account_number_in_the_heading_becomes_the_account(tmp_path):
    text = (
        ",Date,Transaction Type,Num,Name,Memo/Description,Amount\n"
        "6000 · Rent Expense,,,,,,\n"
        ",02/01/2024,Check,1001,Kuver Property,February rent,1500.00\n"
        'Total for 6000 · Rent Expense,,,,,,"$1,500.00"\n'
        "6100 - Utilities,,,,,,\n"
        ",02/08/2024,Bill,INV-88,City Power,January power,210.50\n"
    )
    frame = ingest(tmp_path, text).transactions
    assert frame["account"].tolist() == ["6000", "6100"]
    assert frame["account_name"].tolist() == ["Rent Expense", "Utilities"]


def test_a_file_with_an_account_column_keeps_it_and_its_dateless_rows_are_missing_dates(tmp_path):
    text = "Account,Date,Amount,Memo\nSection A,,,\n6000,2024-01-02,5,x\n"
    result = ingest(tmp_path, text)
    assert result.transactions["account"].tolist() == ["6000"]
    assert result.rejected["reason"].tolist() == ["missing posting date"]


def test_a_dateless_row_with_text_where_lines_have_text_is_no_heading(tmp_path):
    # The unmapped "Extra" is filled on the dated lines: a row with only that is a line that lost its date.
    text = "Date,Amount,Extra\n2024-01-02,5,paid late\n,,not a heading\n2024-01-03,6,ok\n"
    result = ingest(tmp_path, text)
    assert "account" not in result.transactions
    assert result.rejected["reason"].tolist() == ["missing posting date"]


def test_headings_above_a_workbook_report(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [
        [None, "Type", "Date", "Name", "Amount"],
        ["Office Supplies"],
        [None, "Bill", dt.datetime(2024, 3, 1), "Staples", 42.5],
        ["Travel"],
        [None, "Expense", dt.datetime(2024, 3, 4), "Delta", 310.0],
    ]:
        sheet.append(row)
    path = tmp_path / "gl.xlsx"
    book.save(path)
    result = ingest_file(path, **LIMITS)
    assert result.transactions["account"].tolist() == ["Office Supplies", "Travel"]
    assert result.transactions["amount"].tolist() == [42.5, 310.0]
