"""Stratification of amounts and aging of documents, on frames counted by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.summaries import DefaultAnalyticsOptions, run_default_analytics
from fintrace_pipeline.analytics.summaries.stratification import data_edges, round_to_one_digit


def _frame(**columns) -> pd.DataFrame:
    n = len(columns["amount"])
    frame = pd.DataFrame(
        {
            "row_number": np.arange(1, n + 1),
            "posting_date": pd.to_datetime(columns.pop("posting_date", ["2024-03-13"] * n)),
            "amount": np.asarray(columns.pop("amount"), dtype="float64"),
        }
    )
    for name, values in columns.items():
        frame[name] = pd.to_datetime(values) if name.endswith("_date") else pd.array(values, dtype="string")
    return frame


def test_bands_count_lines_and_money_per_band_account_and_vendor():
    frame = _frame(
        amount=[5, -20, 150, 900, 1500, 12000, 0],
        account=["A", "A", "B", "B", "B", "A", "A"],
        vendor=["X", "X", "X", "Y", "Y", "Y", None],
    )
    result = run_default_analytics(frame, DefaultAnalyticsOptions(strata_edges=(1000, 100, 10000)))
    strata = result.sections["trial_balance_data"]["stratification"]
    assert strata["edges"] == [100.0, 1000.0, 10000.0] and strata["edges_from"] == "configured"
    assert [(b["band"], b["lines"], b["total"], b["net"]) for b in strata["bands"]] == [
        ("0.00 – 100.00", 3, 25.0, -15.0),
        ("100.00 – 1,000.00", 2, 1050.0, 1050.0),
        ("1,000.00 – 10,000.00", 1, 1500.0, 1500.0),
        ("≥ 10,000.00", 1, 12000.0, 12000.0),
    ]
    assert strata["bands"][3]["share_of_total"] == round(12000 / 14575, 4)
    assert strata["bands"][0]["share_of_lines"] == round(3 / 7, 4)
    assert strata["reason"] == (
        "1 of 7 lines (14.3 %) are in the top band ≥ 10,000.00 and carry 82.3 % of the absolute amount"
    )
    # Account A (12,025) comes before B (2,550); each lists the bands it uses.
    assert [(r["account"], r["band"], r["lines"], r["total"]) for r in strata["by_account"]] == [
        ("A", "0.00 – 100.00", 3, 25.0),
        ("A", "≥ 10,000.00", 1, 12000.0),
        ("B", "100.00 – 1,000.00", 2, 1050.0),
        ("B", "1,000.00 – 10,000.00", 1, 1500.0),
    ]
    assert [(r["vendor"], r["lines"]) for r in strata["by_vendor"]][:2] == [("Y", 1), ("Y", 1)]
    assert {r["vendor"] for r in strata["by_vendor"]} == {"X", "Y", "(blank)"}
    charts = result.sections["chart_data"]["stratification"]
    assert charts["values"] == [25.0, 1050.0, 1500.0, 12000.0]
    export = result.sections["export_data"]
    assert export["stratification"]["rows"][1][:3] == ["100.00 – 1,000.00", 2, 1050.0]
    assert export["stratification_by_account"]["columns"] == [
        "account",
        "band",
        "lines",
        "total",
        "share_of_account_total",
    ]
    assert result.parameters["strata_edges"] == [1000, 100, 10000]


def test_default_edges_come_from_rounded_percentiles_and_materiality():
    assert (round_to_one_digit(1234.56), round_to_one_digit(0.0372), round_to_one_digit(7777)) == (1000, 0.04, 8000)
    volume = np.arange(1, 101, dtype="float64")
    # Percentiles 50.5, 80.2, 95.05 and 99.01 round to 50, 80, 100 and 100.
    assert data_edges(volume, 0.0) == (50.0, 80.0, 100.0)
    assert data_edges(volume, 75.0) == (50.0, 75.0, 80.0, 100.0)
    result = run_default_analytics(_frame(amount=volume.tolist()), DefaultAnalyticsOptions(materiality=75.0))
    strata = result.sections["trial_balance_data"]["stratification"]
    assert strata["edges_from"] == "percentiles 50, 80, 95, 99 rounded to one digit and materiality"
    assert [b["lines"] for b in strata["bands"]] == [49, 25, 5, 20, 1]


def test_aging_bands_late_payments_and_payments_before_the_invoice():
    frame = _frame(
        amount=[100, -200, 300, 400, 50],
        posting_date=["2024-01-20", "2024-02-15", "2024-03-05", "2024-12-31", "2024-01-10"],
        document_date=["2024-01-01", "2024-01-01", "2024-03-10", "2024-01-01", None],
        vendor=["A", "A", "B", "C", "D"],
    )
    result = run_default_analytics(frame)
    aged = result.sections["temporal_patterns"]["aging"]
    assert aged["lines_aged"] == 4 and aged["lines_without_dates"] == 1 and aged["median_days"] == 32.0
    assert [(b["band"], b["lines"], b["total"]) for b in aged["bands"]] == [
        ("before the document date", 1, 300.0),
        ("0–30 days", 1, 100.0),
        ("31–60 days", 1, 200.0),
        ("61–90 days", 0, 0.0),
        ("91–180 days", 0, 0.0),
        ("more than 180 days", 1, 400.0),
    ]
    late = aged["late_payments"]
    assert (late["lines"], late["total"], late["severity"]) == (2, 600.0, "medium")
    assert [(r["row_number"], r["days"]) for r in late["largest"]] == [(4, 365), (2, 45)]
    assert late["reason"] == "2 of 4 lines posted more than 30 days after their document date, 600.00 in all"
    early = aged["before_document_date"]
    assert (early["lines"], early["severity"], early["largest"][0]["days"]) == (1, "high", -5)
    assert early["largest"][0] == {
        "row_number": 3,
        "document_date": "2024-03-10",
        "posting_date": "2024-03-05",
        "days": -5,
        "amount": 300.0,
        "vendor": "B",
    }
    assert [(v["vendor"], v["late_lines"], v["average_days"]) for v in aged["by_vendor"]] == [
        ("C", 1, 365.0),
        ("A", 1, 32.0),
        ("B", 0, -5.0),
    ]
    terms = run_default_analytics(frame, DefaultAnalyticsOptions(payment_terms_days=60, aging_bands=(90, 30)))
    aged = terms.sections["temporal_patterns"]["aging"]
    assert aged["late_payments"]["lines"] == 1
    assert [b["band"] for b in aged["bands"]] == [
        "before the document date",
        "0–30 days",
        "31–90 days",
        "more than 90 days",
    ]
    assert terms.sections["export_data"]["aging"]["rows"][3][:2] == ["more than 90 days", 1]
