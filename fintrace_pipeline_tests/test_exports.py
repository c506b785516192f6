"""CSV/XLSX exports with spreadsheet formula injection neutralised."""

import io

import numpy as np
import openpyxl
import pandas as pd

from fintrace_pipeline.exports import csv_part, neutralise_formulas, to_csv_bytes, to_xlsx_bytes


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "vendor": pd.Series(["=SUM(A1:A9)", "+1-555", "-2+3", "@cmd", "\tx", "\rx", "Acme", None], dtype="str"),
            "mixed": pd.Series(["=1", 5, None, "ok", "-x", 1.5, "@", "a=b"], dtype=object),
            "amount": [-10.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, np.nan],
        }
    )


def test_text_cells_starting_like_a_formula_get_a_quote_and_numbers_stay_numbers():
    safe = neutralise_formulas(frame())
    assert safe["vendor"].tolist()[:7] == ["'=SUM(A1:A9)", "'+1-555", "'-2+3", "'@cmd", "'\tx", "'\rx", "Acme"]
    assert pd.isna(safe["vendor"].iloc[7])
    assert safe["mixed"].tolist()[:2] == ["'=1", 5] and safe["mixed"].tolist()[3:] == ["ok", "'-x", 1.5, "'@", "a=b"]
    assert safe["amount"].iloc[0] == -10.5  # a negative number is not text: untouched


def test_the_input_frame_is_not_modified():
    original = frame()
    neutralise_formulas(original)
    assert original["vendor"].iloc[0] == "=SUM(A1:A9)"


def test_header_names_are_neutralised_too():
    assert list(neutralise_formulas(pd.DataFrame({"=evil": [1], "ok": [2]})).columns) == ["'=evil", "ok"]


def test_csv_parts_join_into_one_csv_with_one_header():
    data = pd.DataFrame({"n": range(5), "t": ["=a", "b", "c", "d", "e"]})
    chunks = [csv_part(data.iloc[:2], header=True), csv_part(data.iloc[2:], header=False)]
    assert b"".join(chunks).decode() == "n,t\n0,'=a\n1,b\n2,c\n3,d\n4,e\n"
    assert to_csv_bytes(data) == b"".join(chunks)


def test_empty_frame_gives_a_header_only_csv():
    assert to_csv_bytes(pd.DataFrame({"a": [], "b": []})) == b"a,b\n"


def test_xlsx_cells_are_text_not_formulas():
    data = pd.DataFrame(
        {
            "vendor": ['=HYPERLINK("http://x")', "Acme"],
            "amount": [-1.25, 2.0],
            "when": pd.to_datetime(["2024-01-02", "2024-02-03"]).tz_localize("UTC"),
        }
    )
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(data))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("vendor", "amount", "when")
    assert rows[1][:2] == ('\'=HYPERLINK("http://x")', -1.25)
    assert sheet["A2"].data_type == "s"
    assert rows[2][2].year == 2024 and rows[2][2].month == 2


def test_csv_parts_carry_the_header_only_when_asked():
    data = pd.DataFrame({"a": [1], "=b": ["-x"]})
    assert csv_part(data, header=True) == b"a,'=b\n1,'-x\n"
    assert csv_part(data, header=False) == b"1,'-x\n"
