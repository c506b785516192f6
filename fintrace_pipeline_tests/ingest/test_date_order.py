"""Day/month order where no date in the sample has a day above 12: the whole file, then the hints a
person would use (decimal comma, header language, currency, country), always with a warning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.ingest import ingest_file
from fintrace_pipeline.ingest.date_order import choose_date_order
from fintrace_pipeline.ingest.dates import DMY, MDY, classify_dates
from fintrace_pipeline.ingest.header_language import LANGUAGE_WORDS, header_language
from fintrace_pipeline.ingest.header_terms import word_concepts
from fintrace_pipeline.ingest.origin_hints import OriginHints, origin_hints
from fintrace_pipeline.ingest.preview import preview_file
from fintrace_pipeline.ingest.sample import SAMPLE_ROWS

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 100_000}


def ingest(tmp_path, name: str, text: str, **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest_file(path, **LIMITS, **kwargs)


def order_warning(result) -> str:
    found = [w for w in result.warnings if "do not tell day from month" in w]
    assert len(found) == 1, result.warnings
    return found[0]


def test_spanish_file_with_decimal_commas_reads_day_first_and_says_why(tmp_path):
    text = "Fecha de pago;Importe (EUR);Proveedor\n03/02/2024;1.234,56;Telefónica\n04/02/2024;99,00;Iberdrola\n"
    result = ingest(tmp_path, "pagos.csv", text)
    assert result.date_format == DMY
    assert result.transactions["posting_date"].tolist() == [pd.Timestamp("2024-02-03"), pd.Timestamp("2024-02-04")]
    warning = order_warning(result)
    assert "inferred from hints" in warning and "'Fecha de pago'" in warning
    assert "decimal-comma amounts in 'Importe (EUR)'" in warning
    assert "Spanish header words (fecha, pago, importe, proveedor)" in warning
    assert "the currency EUR" in warning


def test_without_any_hint_the_order_is_month_first_and_the_warning_says_so(tmp_path):
    result = ingest(tmp_path, "plain.csv", "Date,Amount,Vendor\n03/02/2024,1234.56,A\n04/02/2024,9.00,B\n")
    assert result.date_format == MDY
    assert result.transactions["posting_date"].tolist() == [pd.Timestamp("2024-03-02"), pd.Timestamp("2024-04-02")]
    assert "nothing in the file hints" in order_warning(result)


@pytest.mark.parametrize(("country", "order", "first"), [("GB", DMY, "2024-02-03"), ("de-by", DMY, "2024-02-03")])
def test_the_country_decides_where_the_file_shows_nothing(tmp_path, country, order, first):
    result = ingest(tmp_path, "plain.csv", "Date,Amount\n03/02/2024,10.00\n04/02/2024,9.00\n", country=country)
    assert result.date_format == order
    assert result.transactions["posting_date"].iloc[0] == pd.Timestamp(first)
    assert f"the country {country[:2].upper()}" in order_warning(result)


def test_the_files_own_hints_outweigh_a_month_first_country_and_the_warning_names_both(tmp_path):
    result = ingest(tmp_path, "gbp.csv", "Date,Amount\n03/02/2024,£10.00\n04/02/2024,£9.00\n", country="US")
    assert result.date_format == DMY
    warning = order_warning(result)
    assert "the currency £" in warning and "although the country US writes the month first" in warning


def test_us_dollars_are_no_hint_and_a_us_country_reads_month_first(tmp_path):
    result = ingest(tmp_path, "usd.csv", "Date,Amount\n03/02/2024,$10.00\n04/02/2024,$9.00\n", country="US")
    assert result.date_format == MDY
    assert "the country US" in order_warning(result)


def test_dates_the_data_decides_carry_no_warning(tmp_path):
    result = ingest(tmp_path, "clear.csv", "Fecha;Importe\n03/02/2024;1,00\n25/02/2024;2,00\n")
    assert result.date_format == DMY and not result.warnings


def test_a_telling_row_beyond_the_sample_decides_for_the_whole_file(tmp_path):
    rows = 3 * SAMPLE_ROWS
    sampled = set(np.linspace(0, rows - 1, num=SAMPLE_ROWS).astype(int))
    telling = next(i for i in range(rows // 2, rows) if i not in sampled)
    days = ["03/02/2024"] * rows
    days[telling] = "25/02/2024"
    text = "Date,Amount\n" + "".join(f"{d},{i}.00\n" for i, d in enumerate(days))
    result = ingest(tmp_path, "long.csv", text)
    assert result.date_format == DMY and not result.warnings
    assert result.transactions["posting_date"].iloc[0] == pd.Timestamp("2024-02-03")
    assert result.transactions["posting_date"].iloc[telling] == pd.Timestamp("2024-02-25")


def test_the_whole_columns_are_asked_only_when_the_sample_cannot_tell():
    def never():
        raise AssertionError("the sample decided; the whole file must not be looked at")

    sample = [classify_dates(pd.Series(["13/02/2024", "01/02/2024"], dtype="string"))]
    assert choose_date_order(sample, never, OriginHints(), ["Date"]).order == DMY
    ambiguous = [classify_dates(pd.Series(["01/02/2024"], dtype="string"))]
    whole = [classify_dates(pd.Series(["01/02/2024", "02/13/2024"], dtype="string"))]
    decided = choose_date_order(ambiguous, lambda: whole, OriginHints(), ["Date"])
    assert (decided.order, decided.warning) == (MDY, None)


def test_dotted_dates_read_day_first_with_a_warning(tmp_path):
    result = ingest(tmp_path, "dots.csv", "Date,Amount\n03.02.2024,10.00\n04.02.2024,9.00\n")
    assert result.date_format == DMY
    assert "dates written with dots (dd.mm.yyyy)" in order_warning(result)


def test_preview_infers_the_order_as_ingest_does(tmp_path):
    path = tmp_path / "pagos.csv"
    path.write_text("Fecha;Importe;Proveedor\n03/02/2024;1.234,56;Telefónica\n", encoding="utf-8")
    preview = preview_file(path, **LIMITS)
    assert preview["date_format"] == DMY
    assert preview["columns"][0]["samples"] == ["2024-02-03T00:00:00"]
    assert any("Spanish header words" in w for w in preview["warnings"])


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        (["Fecha de pago", "Importe (EUR)", "Proveedor"], "Spanish"),
        (["Buchungsdatum", "Betrag", "Verwendungszweck"], "German"),
        (["Data operacji", "Kwota", "Waluta", "Opis operacji"], "Polish"),
        (["Cislo faktury", "Datum uhrady", "Castka", "Dodavatel"], "Czech"),
        (["Boekdatum", "Omschrijving", "Af/Bij", "Bedrag"], "Dutch"),
        (["Date", "Amount", "Vendor", "Data Source", "Total"], None),
        (["Datum", "Amount", "Vendor"], None),  # one word is not a language
    ],
)
def test_header_language(headers, language):
    found = header_language(headers)
    assert (found.language if found else None) == language


def test_every_language_word_is_one_the_lexicon_reads():
    unknown = [w for words, stems in LANGUAGE_WORDS.values() for w in [*words, *stems] if word_concepts(w) is None]
    assert unknown == []


@pytest.mark.parametrize(
    ("cells", "currency_values", "expected"),
    [
        (["£322.50", "£8,624.40"], None, "£"),
        (["1.234,56 zł", "12,00 zł"], None, "zł"),
        (["CHF 1'234.50"], None, "CHF"),
        (["$1,234.50"], None, None),
        (["10.00"], ["EUR", "EUR", "USD"], "EUR"),
        (["€10.00"], ["USD", "USD"], None),  # the currency column speaks for the file
    ],
)
def test_a_non_us_currency_is_a_hint(cells, currency_values, expected):
    sample = pd.DataFrame({"Amount": pd.Series(cells, dtype="string")})
    mapping = {"amount": "Amount"}
    if currency_values:
        sample = pd.DataFrame({"Amount": pd.Series(cells * len(currency_values), dtype="string")})
        sample["Currency"] = pd.Series(currency_values, dtype="string")
        mapping["currency"] = "Currency"
    assert origin_hints(list(sample.columns), sample, mapping).currency == expected
