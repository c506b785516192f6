from __future__ import annotations

import math

import pandas as pd

from fintrace_pipeline.ingest.values import (
    COMMA_DECIMAL,
    DMY,
    EXCEL_SERIAL,
    ISO,
    MDY,
    POINT_DECIMAL,
    classify_dates,
    clean_text,
    combine_debit_credit,
    decide_date_order,
    parse_amounts,
    parse_dates,
    parse_label,
)


def text(*cells):
    return clean_text(pd.Series(list(cells), dtype="string"))


def shapes(*cells):
    return classify_dates(text(*cells))


def amounts(*cells):
    parsed = parse_amounts(text(*cells))
    return [None if math.isnan(v) else v for v in parsed.values], parsed.convention


def test_clean_text_strips_and_turns_empty_into_na():
    cleaned = clean_text(pd.Series(["  a ", "", "   ", None, "b"]))
    assert str(cleaned.dtype) == "string"
    assert cleaned.tolist() == ["a", pd.NA, pd.NA, pd.NA, "b"]


def test_point_decimal_amount_formats():
    values, convention = amounts(
        "1,234.56",
        "$1,234.56",
        " 42 ",
        "(500.00)",
        "-500",
        "500-",
        "500.00 USD",
        "USD 7.5",
        "-$3.10",
        "100 CR",
        "1'234.50",
        "0.125",
    )
    assert convention == POINT_DECIMAL
    assert values == [1234.56, 1234.56, 42.0, -500.0, -500.0, -500.0, 500.0, 7.5, -3.1, -100.0, 1234.5, 0.13]


def test_comma_decimal_decided_for_the_whole_column():
    values, convention = amounts("1.234,56", "€1.234,56", "12,50", "1.234", "(1.000,00)", "7", "1 234,5")
    assert convention == COMMA_DECIMAL
    # "1.234" alone could be either; the column's other values make the point a thousands separator.
    assert values == [1234.56, 1234.56, 12.5, 1234.0, -1000.0, 7.0, 1234.5]


def test_ambiguous_column_defaults_to_decimal_point():
    assert amounts("1,234", "2,000") == ([1234.0, 2000.0], POINT_DECIMAL)


def test_unparseable_and_missing_amounts_are_nan():
    parsed = parse_amounts(text("abc", "", "(5", "1.2.3", "12,34.5", "5"))
    assert parsed.values.isna().tolist() == [True, True, True, True, True, False]
    assert parsed.missing.tolist() == [False, True, False, False, False, False]
    # Under a decimal comma "1.50" is malformed (a thousands point needs three digits after it).
    assert amounts("1,5", "2,25", "1.50")[0] == [1.5, 2.25, None]


def test_debit_credit_become_one_signed_amount():
    debit = parse_amounts(text("100.00", "", "50", "", "1,000.00"))
    credit = parse_amounts(text("", "25.50", "20", "", ""))
    assert combine_debit_credit(debit, credit).tolist() == [100.0, -25.5, 30.0, 0.0, 1000.0]
    # Credits already written as negatives are not negated twice.
    credit_signed = parse_amounts(text("", "-25.50", "-20", "", ""))
    assert combine_debit_credit(debit, credit_signed).tolist() == [100.0, -25.5, 30.0, 0.0, 1000.0]


def test_date_order_decided_per_file():
    assert decide_date_order([shapes("01/02/2024", "13/02/2024")]) == DMY
    assert decide_date_order([shapes("01/02/2024", "02/13/2024")]) == MDY
    assert decide_date_order([shapes("01/02/2024", "03/04/2024")]) == MDY  # ambiguous: mdy
    assert decide_date_order([shapes("01.02.2024", "03.04.2024")]) == DMY  # dots: dmy
    assert decide_date_order([shapes("2024-01-02", None)]) == ISO
    assert decide_date_order([shapes("45000", "45001.25")]) == EXCEL_SERIAL
    # The entry-date column can decide for the posting-date column.
    assert decide_date_order([shapes("01/02/2024"), shapes("25/02/2024 10:00")]) == DMY


def test_parse_dates_all_supported_shapes():
    parsed = parse_dates(
        shapes(
            "2024-03-05",
            "2024-03-05T14:30:00",
            "2024-03-05 14:30:15Z",
            "05/03/2024",
            "5/3/2024 9:05",
            "05.03.2024 02:30 PM",
            "05-03-2024 12:15 AM",
            "45356",
            "45356.5",
        ),
        DMY,
    )
    assert parsed.dtype == "datetime64[ns]"
    assert parsed.tolist() == [
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05 14:30"),
        pd.Timestamp("2024-03-05 14:30:15"),
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05 09:05"),
        pd.Timestamp("2024-03-05 14:30"),
        pd.Timestamp("2024-03-05 00:15"),
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2024-03-05 12:00"),
    ]


def test_parse_dates_mdy_and_invalid():
    parsed = parse_dates(shapes("03/05/2024", "02/30/2024", "13/13/2024", "soon", None, "2024-02-30"), MDY)
    assert parsed.iloc[0] == pd.Timestamp("2024-03-05")
    assert parsed.iloc[1:].isna().all()


def test_parse_label():
    assert parse_label(text("1", "0", "yes", "FALSE", "maybe", None, "1.0")).tolist() == [1, 0, 1, 0, pd.NA, pd.NA, 1]
