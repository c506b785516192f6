from __future__ import annotations

import pandas as pd
import pytest

from fintrace_pipeline.ingest.dates import (
    DMY,
    EXCEL_SERIAL,
    ISO,
    MDY,
    MONTH_NAME,
    YYYYMMDD,
    classify_dates,
    decide_date_order,
    is_placeholder_date,
    parse_dates,
)
from fintrace_pipeline.ingest.values import clean_text


def shapes(*cells):
    return classify_dates(clean_text(pd.Series(list(cells), dtype="string")))


def test_date_order_decided_per_file():
    assert decide_date_order([shapes("01/02/2024", "13/02/2024")]) == DMY
    assert decide_date_order([shapes("01/02/2024", "02/13/2024")]) == MDY
    assert decide_date_order([shapes("01/02/2024", "03/04/2024")]) == MDY  # ambiguous: mdy
    assert decide_date_order([shapes("01.02.2024", "03.04.2024")]) == DMY  # dots: dmy
    assert decide_date_order([shapes("7/31/14 0:00", "11/19/14 0:00")]) == MDY  # two-digit years
    assert decide_date_order([shapes("2024-01-02", None)]) == ISO
    assert decide_date_order([shapes("45000", "45001.25")]) == EXCEL_SERIAL
    assert decide_date_order([shapes("20070122", "19000101")]) == YYYYMMDD
    assert decide_date_order([shapes("04-Nov-20", "21-Oct-20")]) == MONTH_NAME
    # The entry-date column can decide for the posting-date column.
    assert decide_date_order([shapes("01/02/2024"), shapes("25/02/2024 10:00")]) == DMY


def test_parse_dates_numeric_iso_and_serial_shapes():
    parsed = parse_dates(
        shapes(
            "2024-03-05",
            "2024-03-05T14:30:00",
            "2024-03-05 14:30:15Z",
            "2024/03/05",
            "05/03/2024",
            "5/3/2024 9:05",
            "05.03.2024 02:30 PM",
            "05-03-2024 12:15 AM",
            "05/03/24",
            "45356",
            "45356.5",
            "20240305",
        ),
        DMY,
    )
    assert parsed.dtype == "datetime64[ns]"
    assert parsed.tolist() == [
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05 14:30"),
        pd.Timestamp("2024-03-05 14:30:15"),
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05 09:05"),
        pd.Timestamp("2024-03-05 14:30"),
        pd.Timestamp("2024-03-05 00:15"),
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05 12:00"),
        pd.Timestamp("2024-03-05"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20-Dec-13", "2013-12-20"),
        ("04-Nov-25", "2025-11-04"),
        ("20 Dec 2013", "2013-12-20"),
        ("Dec 20, 2013", "2013-12-20"),
        ("December 20th, 2013 3:45 PM", "2013-12-20 15:45"),
        ("01-JUN-2012", "2012-06-01"),
        ("20DEC2013", "2013-12-20"),
        ("20. Dezember 2013", "2013-12-20"),
        ("3. März 2024", "2024-03-03"),
        ("1 juil. 2024", "2024-07-01"),
        ("15 févr. 2024", "2024-02-15"),
        ("20 de diciembre de 2013", "2013-12-20"),
        ("5 de março de 2024", "2024-03-05"),
        ("12 ottobre 2023", "2023-10-12"),
        ("7 mrt 2024", "2024-03-07"),
        ("31-Dec-69", "1969-12-31"),
    ],
)
def test_month_names_in_the_supported_languages(text, expected):
    assert parse_dates(shapes(text), MDY).iloc[0] == pd.Timestamp(expected)


def test_an_excel_serial_in_the_year_field_is_read_as_the_serial():
    # A day/month format over a serial day number: 41892 is 2014-09-10.
    assert parse_dates(shapes("01/01/41892 12:00:00 AM"), MDY).iloc[0] == pd.Timestamp("2014-09-10")


def test_parse_dates_invalid():
    parsed = parse_dates(
        shapes("03/05/2024", "02/30/2024", "13/13/2024", "soon", None, "2024-02-30", "31-Foo-2024"), MDY
    )
    assert parsed.iloc[0] == pd.Timestamp("2024-03-05")
    assert parsed.iloc[1:].isna().all()


def test_placeholder_dates():
    parsed = parse_dates(shapes("19000101", "20070122", "1899-12-30"), YYYYMMDD)
    assert is_placeholder_date(parsed).tolist() == [True, False, True]
