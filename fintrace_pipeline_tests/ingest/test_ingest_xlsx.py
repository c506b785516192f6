from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fintrace_pipeline.ingest import IngestError, ingest_file
from fintrace_pipeline_tests.ingest.workbook_files import write_ods, write_xls

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 1000}


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Prepared for the audit committee"])
    summary.append(["Total spend", 1234])
    detail = book.create_sheet("GL Detail")
    detail.append(["Acme Corp - General Ledger"])
    detail.append(["Period", "FY2024"])
    detail.append([])
    detail.append(["Posting Date", "Entry Date", "GL Account", "Amount (USD)", "Memo"])
    detail.append([dt.datetime(2024, 3, 5), dt.datetime(2024, 3, 6, 14, 30), 6000, 1234.5, "Laptop"])
    detail.append([dt.date(2024, 3, 7), 45359.75, "6100", "(20.00)", None])
    detail.append([None, None, None, None, None])
    detail.append([45360, None, 6200, -7, "serial date"])
    detail.append(["Grand total", None, None, 1207.5, None])
    book.create_sheet("Notes").append(["nothing here"])
    book.save(path)
    return path


def test_table_found_below_title_rows_on_a_later_sheet(tmp_path):
    result = ingest_file(workbook(tmp_path / "gl.xlsx"), **LIMITS)
    assert (result.file_format, result.sheet_name, result.header_row) == ("xlsx", "GL Detail", 4)
    assert result.encoding is None and result.delimiter is None
    frame = result.transactions
    assert frame["row_number"].tolist() == [1, 2, 3]
    assert frame["posting_date"].tolist() == [
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-07"),
        pd.Timestamp("2024-03-09"),
    ]
    assert frame["entry_date"].tolist()[:2] == [pd.Timestamp("2024-03-06 14:30"), pd.Timestamp("2024-03-08 18:00")]
    assert frame["entry_date"].isna().tolist() == [False, False, True]
    assert frame["amount"].tolist() == [1234.5, -20.0, -7.0]
    assert frame["account"].tolist() == ["6000", "6100", "6200"]
    assert frame["description"].tolist() == ["Laptop", pd.NA, "serial date"]
    assert result.rows_read == 4
    assert result.rejected["row_number"].tolist() == [4]
    assert result.rejected["reason"].tolist() == ["report footer or subtotal row"]
    assert result.rejected["raw_values"].iloc[0]["Posting Date"] == "Grand total"
    assert any("Summary" in note for note in result.notes)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ledger.csv", "Date,Amount\n2024-01-02,5\n")
    with pytest.raises(IngestError, match="not a valid workbook.*holds no spreadsheet"):
        ingest_file(path, **LIMITS)


def test_xlsx_extension_on_something_else(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a workbook at all")
    with pytest.raises(IngestError, match="not a valid workbook"):
        ingest_file(path, **LIMITS)


def test_a_damaged_legacy_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(IngestError, match="not a valid workbook"):
        ingest_file(path, **LIMITS)


def test_workbook_row_limit(tmp_path):
    with pytest.raises(IngestError, match="more than 2 data rows"):
        ingest_file(workbook(tmp_path / "gl.xlsx"), max_decompressed_bytes=2**26, max_rows=2)


def test_workbook_over_the_expanded_size_limit(tmp_path):
    path = workbook(tmp_path / "gl.xlsx")
    # The packed file fits under the cap; its unpacked XML does not.
    with pytest.raises(IngestError, match="workbook expands to"):
        ingest_file(path, max_decompressed_bytes=path.stat().st_size + 1, max_rows=1000)


LEDGER_ROWS = [
    ["Expense report FY2024", None, None, None],
    [None, None, None, None],
    ["Posting Date", "Amount", "Supplier", "Memo"],
    ["2024-01-02", 12.5, "Müller GmbH", "coffee"],
    ["2024-01-03", -7, "N/A", None],
    ["Total", 5.5, None, None],
]


def test_legacy_xls_workbook(tmp_path):
    path = write_xls(tmp_path / "old.xls", [("Cover", [["Prepared by finance"]]), ("Ledger", LEDGER_ROWS)])
    result = ingest_file(path, **LIMITS)
    assert (result.file_format, result.sheet_name, result.header_row) == ("xls", "Ledger", 3)
    assert result.transactions["amount"].tolist() == [12.5, -7.0]
    assert result.transactions["vendor"].tolist() == ["Müller GmbH", pd.NA]
    assert result.rejected["reason"].tolist() == ["report footer or subtotal row"]


def test_opendocument_spreadsheet(tmp_path):
    path = write_ods(tmp_path / "ledger.ods", [("Ledger", LEDGER_ROWS)])
    result = ingest_file(path, **LIMITS)
    assert (result.file_format, result.header_row) == ("ods", 3)
    assert result.transactions["posting_date"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    assert result.transactions["description"].tolist() == ["coffee", pd.NA]


def test_sheets_with_the_same_header_row_are_one_table(tmp_path):
    book = openpyxl.Workbook()
    january = book.active
    january.title = "Jan"
    for row in (["Date", "Supplier", "TOTAL"], [dt.date(2024, 1, 5), "Acme", 10], [dt.date(2024, 1, 6), "Bolt", 20]):
        january.append(row)
    february = book.create_sheet("Feb")
    for row in (["Date", "Supplier", "TOTAL", None, "Remarks"], [45328, "Acme", 30, None, "x"]):
        february.append(row)
    book.create_sheet("Summary").append(["Supplier", "Sum of TOTAL"])
    path = tmp_path / "months.xlsx"
    book.save(path)
    result = ingest_file(path, **LIMITS)
    assert result.sheet_name == "Jan, Feb"
    assert result.transactions["row_number"].tolist() == [1, 2, 3]
    assert result.transactions["amount"].tolist() == [10.0, 20.0, 30.0]
    assert result.transactions["posting_date"].tolist()[-1] == pd.Timestamp("2024-02-06")  # a serial day number
    assert any("other sheets not read: Summary" in note for note in result.notes)
