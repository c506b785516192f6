from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from fintrace_pipeline import canonical
from fintrace_pipeline.ingest import IngestError, ingest_file

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 1000}


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def ingest(path: Path, **kwargs):
    return ingest_file(path, **{**LIMITS, **kwargs})


def test_clean_csv_becomes_the_canonical_frame(tmp_path):
    path = write(
        tmp_path,
        "gl.csv",
        "Posting Date,GL Account,Entered By,Vendor Name,Memo,Amount\n"
        '01/15/2024,6000, jsmith ,Acme,"Lunch, team","1,234.50"\n'
        "02/01/2024,6100,adoe,,Taxi,(20.00)\n",
    )
    result = ingest(path)
    frame = result.transactions
    assert list(frame.columns) == ["row_number", "posting_date", "amount", "account", "user", "vendor", "description"]
    assert frame["row_number"].dtype == "int64" and frame["amount"].dtype == "float64"
    assert frame["posting_date"].dtype == "datetime64[ns]" and str(frame["user"].dtype) == "string"
    assert frame["row_number"].tolist() == [1, 2]
    assert frame["posting_date"].tolist() == [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-02-01")]
    assert frame["amount"].tolist() == [1234.5, -20.0]
    assert frame["user"].tolist() == ["jsmith", "adoe"]
    assert frame["vendor"].tolist() == ["Acme", pd.NA]
    assert frame["description"].tolist() == ["Lunch, team", "Taxi"]
    assert set(frame.columns) <= set(canonical.ALL_COLUMNS)
    assert result.rows_read == 2 and result.rejected.empty
    assert (result.file_format, result.compression, result.encoding, result.delimiter) == ("csv", None, "utf-8", ",")
    assert result.header_row == 1 and result.date_format == "mdy"
    assert result.column_mapping["user"] == "Entered By"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    rows = [["Date", "Amount", "Description"], ["13.01.2024", "1.234,56", "a, b"], ["14.01.2024", "7,00", "c"]]
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    result = ingest(write(tmp_path, "export.txt", text))
    assert result.delimiter == delimiter
    assert result.transactions["amount"].tolist() == [1234.56, 7.0]
    assert result.date_format == "dmy"
    assert result.transactions["posting_date"].tolist() == [pd.Timestamp("2024-01-13"), pd.Timestamp("2024-01-14")]


def test_tsv_extension_and_gzip_detected_by_magic_bytes(tmp_path):
    content = "Date\tAmount\n2024-01-02\t5\n2024-01-03T10:00:00\t6.5\n"
    path = write(tmp_path, "ledger.data", gzip.compress(content.encode()))  # no .gz extension
    result = ingest(path)
    assert result.compression == "gzip" and result.file_format == "tsv" and result.date_format == "iso"
    assert result.transactions["amount"].tolist() == [5.0, 6.5]
    assert result.transactions["posting_date"].tolist() == [
        pd.Timestamp("2024-01-02"),
        pd.Timestamp("2024-01-03 10:00"),
    ]


def test_bom_crlf_and_embedded_newlines(tmp_path):
    content = '\ufeffDate,Amount,Memo\r\n2024-01-02,5,"two\r\nlines"\r\n2024-01-03,6,x\r\n'
    result = ingest(write(tmp_path, "bom.csv", content))
    assert result.encoding == "utf-8-sig"
    assert result.column_mapping["posting_date"] == "Date"
    assert result.transactions["description"].tolist() == ["two\r\nlines", "x"]
    assert result.transactions["row_number"].tolist() == [1, 2]


def test_windows_1252_fallback(tmp_path):
    content = "Date,Amount,Vendor\n2024-01-02,5,Caf\u00e9 M\u00fcller \u20ac\n"
    result = ingest(write(tmp_path, "cp.csv", content, encoding="cp1252"))
    assert result.encoding == "cp1252"
    assert result.transactions["vendor"].tolist() == ["Caf\u00e9 M\u00fcller \u20ac"]


def test_row_level_problems_are_rejected_with_reason_and_raw_values(tmp_path):
    content = (
        "Date,Account,Amount\n"
        "2024-01-02,6000,10\n"  # 1
        "\n"  # blank: not a data row
        "2024-01-03,6000\n"  # 2: too few cells
        "2024-01-04,6000,20,extra\n"  # 3: too many cells
        "not a date,6000,30\n"  # 4
        ",6000,40\n"  # 5
        "2024-01-05,6000,abc\n"  # 6
        "2024-01-06,6000,\n"  # 7
        ",,\n"  # blank cells only: not a data row
        "2024-01-07,6000,70\n"  # 8
        "Total,,160\n"  # 9
        "Grand Total,,160\n"  # 10
    )
    result = ingest(write(tmp_path, "messy.csv", content))
    assert result.rows_read == 10
    assert result.transactions["row_number"].tolist() == [1, 8]
    assert result.transactions["amount"].tolist() == [10.0, 70.0]
    rejected = result.rejected
    assert rejected["row_number"].dtype == "int64"
    assert rejected["row_number"].tolist() == [2, 3, 4, 5, 6, 7, 9, 10]
    assert rejected["reason"].tolist() == [
        "expected 3 cells, found 2",
        "expected 3 cells, found 4",
        "unparseable posting date",
        "missing posting date",
        "unparseable amount",
        "missing amount",
        "report footer or subtotal row",
        "report footer or subtotal row",
    ]
    assert rejected["raw_values"].iloc[0] == {"Date": "2024-01-03", "Account": "6000"}
    assert rejected["raw_values"].iloc[1] == {
        "Date": "2024-01-04",
        "Account": "6000",
        "Amount": "20",
        "extra cell 1": "extra",
    }
    assert rejected["raw_values"].iloc[4] == {"Date": "2024-01-05", "Account": "6000", "Amount": "abc"}
    assert any("footer" in note for note in result.notes)


def test_title_rows_above_the_header(tmp_path):
    content = "Acme Corp general ledger\nPeriod: 2024\n\nPosting Date,Amount\n2024-01-02,5\n"
    result = ingest(write(tmp_path, "titled.csv", content))
    assert result.header_row == 4
    assert result.transactions["amount"].tolist() == [5.0]


def test_debit_credit_columns(tmp_path):
    content = "Date,Debit,Credit\n2024-01-02,100.00,\n2024-01-03,,40.00\n2024-01-04,10,4\n2024-01-05,,\n"
    result = ingest(write(tmp_path, "dc.csv", content))
    assert result.column_mapping == {"posting_date": "Date", "debit": "Debit", "credit": "Credit"}
    assert result.transactions["amount"].tolist() == [100.0, -40.0, 6.0]
    assert result.rejected["reason"].tolist() == ["missing amount"]


def test_user_mapping_and_label(tmp_path):
    content = "When,How much,Note,Is fraud\n2024-01-02,5,a,1\n2024-01-03,6,b,0\n"
    result = ingest(
        write(tmp_path, "custom.csv", content),
        user_mapping={"posting_date": "When", "amount": "How much", "label": "Is fraud"},
    )
    assert result.transactions["label"].dtype == "Int64"
    assert result.transactions["label"].tolist() == [1, 0]
    assert result.column_mapping["amount"] == "How much"
    with pytest.raises(IngestError, match="'Booked'"):
        ingest(write(tmp_path, "custom2.csv", content), user_mapping={"posting_date": "Booked"})


def test_quoted_fields_with_embedded_newline_and_ragged_rows_together(tmp_path):
    content = 'Date,Amount,Memo\n2024-01-02,5,"a\nb"\n2024-01-03,6\n2024-01-04,7,"c,d"\n'
    result = ingest(write(tmp_path, "mix.csv", content))
    assert result.transactions["row_number"].tolist() == [1, 3]
    assert result.transactions["description"].tolist() == ["a\nb", "c,d"]
    assert result.rejected["row_number"].tolist() == [2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"Date,Amount\n", "no data rows"),
        (b"Date,Amount\n\x00\x01\x02,\x00\n", "NUL"),
        (b"Date,Description\n2024-01-02,x\n", "no column looks like an amount.*closest: 'Description' \\(e.g. 'x'\\)"),
        (b"Account,Amount\n6000,5\n", "no column looks like a posting date; closest: 'Account' \\(e.g. '6000'\\)"),
        (b"Date,Amount\nbad,5\nworse,6\n", "every data row was rejected.*unparseable posting date"),
    ],
)
def test_file_level_problems(tmp_path, content, message):
    with pytest.raises(IngestError, match=message):
        ingest(write(tmp_path, "bad.csv", content))


def test_row_limit(tmp_path):
    content = "Date,Amount\n" + "2024-01-02,5\n" * 11
    with pytest.raises(IngestError, match="more than the limit of 10"):
        ingest(write(tmp_path, "many.csv", content), max_rows=10)


def test_gzip_bomb_stops_at_the_byte_cap(tmp_path):
    payload = b"Date,Amount\n" + b"2024-01-02,5\n" * 400_000  # ~5 MB, compresses to a few KB
    path = write(tmp_path, "bomb.csv.gz", gzip.compress(payload))
    with pytest.raises(IngestError, match="expands to more than the limit"):
        ingest(path, max_decompressed_bytes=1_000_000)


def test_truncated_gzip(tmp_path):
    path = write(tmp_path, "cut.csv.gz", gzip.compress(b"Date,Amount\n2024-01-02,5\n" * 100)[:40])
    with pytest.raises(IngestError, match="gzip"):
        ingest(path)


def test_trailing_delimiter_on_every_data_row(tmp_path):
    content = "Date,Amount\n2024-01-02,5,\n2024-01-03,6,\n2024-01-04\n"
    result = ingest(write(tmp_path, "trailing.csv", content))
    assert result.transactions["amount"].tolist() == [5.0, 6.0]
    assert result.rejected["reason"].tolist() == ["expected 3 cells, found 1"]
    assert any("extra delimiter" in note for note in result.notes)


def test_every_row_ragged(tmp_path):
    with pytest.raises(IngestError, match="every data row was rejected.*expected 3 cells, found 2 \\(2 rows\\)"):
        ingest(write(tmp_path, "ragged.csv", "Date,Amount,Memo\n2024-01-02,5\n2024-01-03,6\n2024-01-04,7,8,9\n"))


def test_footer_variants_only_without_a_date(tmp_path):
    content = (
        "Account,Date,Amount\n"
        "6000,2024-01-02,5\n"
        "Subtotal,,5\n"
        "Balance carried forward,,5\n"
        "TOTAL 6000,,5\n"
        "Total,2024-01-03,6\n"  # has a date: an ordinary row whose account reads "Total"
    )
    result = ingest(write(tmp_path, "footers.csv", content))
    assert result.transactions["row_number"].tolist() == [1, 5]
    assert result.rejected["reason"].tolist() == ["report footer or subtotal row"] * 3


def test_bare_carriage_return_line_ends_with_a_title_row(tmp_path):
    result = ingest(write(tmp_path, "mac.csv", "Ledger\rDate,Amount\r2024-01-02,5\r2024-01-03,6\r"))
    assert result.header_row == 2
    assert result.transactions["amount"].tolist() == [5.0, 6.0]


def test_utf16_with_bom_as_excel_writes_unicode_text(tmp_path):
    content = "Datum\tBetrag\tEmpfänger\r\n02.01.2024\t-1.234,56\tMüller GmbH\r\n03.01.2024\t7,00\tCafé Zürich\r\n"
    result = ingest(write(tmp_path, "unicode.txt", b"\xff\xfe" + content.encode("utf-16-le")))
    assert (result.encoding, result.delimiter) == ("utf-16-le", "\t")
    assert result.transactions["amount"].tolist() == [-1234.56, 7.0]
    assert result.transactions["vendor"].tolist() == ["Müller GmbH", "Café Zürich"]


def test_dos_code_page_850_is_told_from_windows_1252(tmp_path):
    content = "Payment date,Net Amount(£),Name\n04-Nov-20,380,Café Façade\n"
    result = ingest(write(tmp_path, "dos.csv", content, encoding="cp850"))
    assert result.encoding == "cp850"
    assert result.column_mapping["amount"] == "Net Amount(£)"
    assert result.transactions["vendor"].tolist() == ["Café Façade"]
    assert result.transactions["posting_date"].tolist() == [pd.Timestamp("2020-11-04")]
    windows = ingest(write(tmp_path, "win.csv", "Date,Amount,Name\n2024-01-02,£322.50,Müller\n", encoding="cp1252"))
    assert windows.encoding == "cp1252" and windows.transactions["vendor"].tolist() == ["Müller"]


def test_placeholder_values_are_missing_and_the_list_is_configurable(tmp_path):
    content = (
        "Date,Amount,Supplier Name,Entered By\n"
        "2024-01-02,5,REDACTED PERSONAL DATA,N/A\n"
        "2024-01-03,6,Acme Ltd,-\n"
        "2024-01-04,7,NAO SE APLICA,jsmith\n"
        "2024-01-05,8,Sigiloso,unknown\n"
        "2024-01-06,9,Withheld - commercial,null\n"
    )
    result = ingest(write(tmp_path, "redacted.csv", content))
    assert result.transactions["vendor"].tolist() == [pd.NA, "Acme Ltd", pd.NA, pd.NA, "Withheld - commercial"]
    assert result.transactions["user"].tolist() == [pd.NA, pd.NA, "jsmith", pd.NA, pd.NA]
    extra = ingest(write(tmp_path, "redacted2.csv", content), missing_values=("Withheld - commercial",))
    assert extra.transactions["vendor"].tolist() == [pd.NA, "Acme Ltd", "NAO SE APLICA", "Sigiloso", pd.NA]


def test_missing_values_setting_adds_to_the_defaults(monkeypatch):
    from fintrace_pipeline.settings import DEFAULT_MISSING_VALUES, get_settings

    monkeypatch.setenv("FINTRACE_MISSING_VALUES", "Withheld - commercial, NOT DISCLOSED")
    values = get_settings().missing_values
    assert values[: len(DEFAULT_MISSING_VALUES)] == DEFAULT_MISSING_VALUES
    assert values[len(DEFAULT_MISSING_VALUES) :] == ("Withheld - commercial", "NOT DISCLOSED")


def test_debit_credit_indicator_signs_the_amount(tmp_path):
    lines = [f"0{day}.02.2024;{day}00,00;{'S' if day % 2 else 'H'};4711" for day in range(1, 10)]
    content = "Belegdatum;Betrag;S/H;Konto\n" + "\n".join([*lines, "10.02.2024;5,00;X;1200", "11.02.2024;5,00;;1200"])
    result = ingest(write(tmp_path, "sap.csv", content))
    assert result.column_mapping["debit_credit_indicator"] == "S/H"
    assert result.transactions["amount"].tolist() == [100.0, -200.0, 300.0, -400.0, 500.0, -600.0, 700.0, -800.0, 900.0]
    assert result.rejected["reason"].tolist() == ["unreadable debit/credit indicator", "missing debit/credit indicator"]


def test_every_row_rejected_shows_the_failing_values_and_keeps_the_rows(tmp_path):
    from fintrace_pipeline.ingest import EveryRowRejected

    content = "Date,Amount\n2024-01-02,abc\n2024-01-03,n.v.\n2024-01-04,zwölf\n2024-01-05,?\n"
    with pytest.raises(EveryRowRejected) as caught:
        ingest(write(tmp_path, "amounts.csv", content))
    message = str(caught.value)
    assert message.startswith(
        "every data row was rejected (4 rows): unparseable amount (3 rows), missing amount (1 rows)"
    )
    assert "row 1: 'Amount'='abc'; row 2: 'Amount'='n.v.'; row 3: 'Amount'='zwölf'" in message
    assert message.endswith("Mapping used: posting_date <- 'Date', amount <- 'Amount'")
    result = caught.value.result
    assert result.rejected["row_number"].tolist() == [1, 2, 3, 4]
    assert result.rejection_counts() == [
        {"reason": "unparseable amount", "rows": 3},
        {"reason": "missing amount", "rows": 1},
    ]


def test_rows_without_any_letter_or_digit_are_blank(tmp_path):
    content = "Supplier Name,Date,Amount\nAcme,08/06/2012,5\n,\u2020\u2020 ,,\n - ,,\nTotal,\u2020\u2020 ,5\n"
    result = ingest(write(tmp_path, "filler.csv", content))
    assert result.rows_read == 2
    assert result.rejected["reason"].tolist() == ["report footer or subtotal row"]


def test_unset_posting_dates_take_the_rows_next_best_date(tmp_path):
    content = (
        "Effective Date,Document Date,Amount\n"
        "19000101,20070105,1\n"
        "20070110,20070109,2\n"
        "19000101,,3\n"  # nothing better: kept as written
    )
    result = ingest(write(tmp_path, "sap.csv", content))
    assert result.column_mapping["posting_date"] == "Effective Date"
    assert result.transactions["posting_date"].tolist() == [
        pd.Timestamp("2007-01-05"),
        pd.Timestamp("2007-01-10"),
        pd.Timestamp("1900-01-01"),
    ]
    assert result.warnings == [
        "1 posting date(s) in 'Effective Date' are a date systems write when none was set (such as 1900-01-01); "
        "those rows take their date from 'Document Date'",
        "1 posting date(s) in 'Effective Date' are a date systems write when none was set (such as 1900-01-01); "
        "they were loaded as written",
    ]
