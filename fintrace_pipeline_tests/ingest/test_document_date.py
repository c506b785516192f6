"""The invoice or document date: mapped beside the posting date, never in its place."""

from __future__ import annotations

import pandas as pd
import pytest

from fintrace_pipeline.ingest import ingest_file

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 100_000}


@pytest.mark.parametrize(
    ("header", "delimiter"), [("Invoice Date", ","), ("Rechnungsdatum", ";"), ("Datum faktury", ";")]
)
def test_an_invoice_date_column_is_the_document_date(tmp_path, header, delimiter):
    path = tmp_path / "ap.csv"
    rows = [f"Posting Date{delimiter}{header}{delimiter}Amount", "2024-03-20{0}2024-03-01{0}100", "2024-03-21{0}{0}7"]
    path.write_text("\n".join(r.format(delimiter) for r in rows) + "\n")
    result = ingest_file(path, **LIMITS)
    assert result.column_mapping["posting_date"] == "Posting Date"
    assert result.column_mapping["document_date"] == header
    frame = result.transactions
    assert frame["document_date"].dtype == "datetime64[ns]"
    assert frame["document_date"].iloc[0] == pd.Timestamp("2024-03-01")
    assert pd.isna(frame["document_date"].iloc[1])
    assert list(frame["posting_date"]) == [pd.Timestamp("2024-03-20"), pd.Timestamp("2024-03-21")]


def test_a_file_whose_only_date_is_the_invoice_date_posts_on_it(tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text("Invoice Date,Amount\n2024-03-01,100\n2024-03-02,5\n")
    result = ingest_file(path, **LIMITS)
    assert result.column_mapping["posting_date"] == "Invoice Date"
    assert "document_date" not in result.column_mapping


def test_a_document_date_column_of_text_is_not_mapped(tmp_path):
    path = tmp_path / "ap.csv"
    path.write_text("Posting Date,Document Date,Amount\n2024-03-20,open,100\n2024-03-21,closed,7\n")
    result = ingest_file(path, **LIMITS)
    assert "document_date" not in result.column_mapping
