from __future__ import annotations

import math

import pandas as pd

from fintrace_pipeline.ingest.values import (
    COMMA_DECIMAL,
    POINT_DECIMAL,
    clean_text,
    combine_debit_credit,
    parse_amounts,
    parse_label,
)


def text(*cells):
    return clean_text(pd.Series(list(cells), dtype="string"))


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


def test_currency_symbols_codes_markers_and_groupings():
    values, convention = amounts(
        "£322.50", "R$ 1,234.50", "CHF 1'234.56", "1 234.50 EUR", "45.00 DR", "45.00CR", "¥500", "12.5-"
    )
    assert convention == POINT_DECIMAL
    assert values == [322.5, 1234.5, 1234.56, 1234.5, 45.0, -45.0, 500.0, -12.5]
    assert amounts("R$ 1.234,56", "1.234,56 €", "12,30-", "1 234,56")[0] == [1234.56, 1234.56, -12.3, 1234.56]


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


def test_parse_label():
    assert parse_label(text("1", "0", "yes", "FALSE", "maybe", None, "1.0")).tolist() == [1, 0, 1, 0, pd.NA, pd.NA, 1]
