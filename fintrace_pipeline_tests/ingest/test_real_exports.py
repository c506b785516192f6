"""Real public exports (``shared/datasets/real`` beside the repository, with its manifest.json) load
right without a mapping: the manifest's column for every canonical column it lists, every data row
loaded, every other row accounted for, and the amounts an independent reading gives."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.ingest import ingest_file
from fintrace_pipeline.settings import PROJECT_ROOT

LIMITS = {"max_decompressed_bytes": 2**30, "max_rows": 10_000_000}


def real_exports_folder() -> Path | None:
    """``shared/datasets/real`` beside the repository root (beside an enclosing folder for a worktree)."""
    for root in (PROJECT_ROOT, *PROJECT_ROOT.parents):
        folder = root.parent / "shared" / "datasets" / "real"
        if (folder / "manifest.json").is_file():
            return folder
    return None


FOLDER = real_exports_folder()
if FOLDER is None and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError("shared/datasets/real/manifest.json must sit beside the repository in CI")
MANIFEST = json.loads((FOLDER / "manifest.json").read_text()) if FOLDER else []
needs_corpus = pytest.mark.skipif(FOLDER is None, reason="shared/datasets/real is not beside the repository")


@pytest.fixture(scope="module")
def loaded():
    cache = {}

    def load(name: str):
        if name not in cache:
            cache[name] = ingest_file(FOLDER / name, **LIMITS)
        return cache[name]

    return load


@needs_corpus
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_real_export_loads_right_without_a_mapping(entry, loaded):
    result = loaded(entry["file"])
    expected = entry["mapping"]
    assert {name: result.column_mapping.get(name) for name in expected} == expected
    # Each source column feeds one canonical column at most (accounts carried down from heading rows
    # give both the account and its name).
    chosen = {
        n: h for n, h in result.column_mapping.items() if result.mapping_details[n]["decided_by"] != "heading rows"
    }
    assert len(set(chosen.values())) == len(chosen)
    assert len(result.transactions) == entry["data_rows"]
    assert len(result.transactions) + len(result.rejected) == result.rows_read
    assert result.header_row == entry["header_row"]
    frame = result.transactions
    assert frame["posting_date"].notna().all() and np.isfinite(frame["amount"]).all()
    assert frame["row_number"].is_unique
    # Rows that are not data are rejected with a reason; none is silently dropped mid-file.
    assert set(result.rejected["reason"]) <= {
        "report footer or subtotal row",
        "missing posting date",
        "account heading row",
    }
    details = result.mapping_details
    assert set(details) == set(result.column_mapping)
    assert all(0 < details[name]["confidence"] <= 1 for name in details)
    assert set(result.unmapped_columns).isdisjoint(result.column_mapping.values())


def _manifest_entry(name: str) -> dict:
    found = [e for e in MANIFEST if e["file"] == name]
    if not found:
        pytest.skip(f"{name} is not in the corpus")
    return found[0]


def _raw_records(entry: dict) -> list[list[str]]:
    encoding = entry["encoding"].split()[0].split("/")[0].replace("utf-8", "utf-8-sig")
    text = (FOLDER / entry["file"]).read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=entry["delimiter"]))


@needs_corpus
def test_lambeth_footer_total_equals_the_sum_of_the_data_rows(loaded):
    entry = _manifest_entry("uk_lambeth_payments_2012_06.csv")
    records = _raw_records(entry)
    footer_total = next(r for r in records if r and r[0] == "Total")
    total = float(next(c for c in footer_total[1:] if any(ch.isdigit() for ch in c)).replace(",", ""))
    result = loaded(entry["file"])
    assert round(result.transactions["amount"].sum(), 2) == total == 40_292_334.84
    assert result.rejected["reason"].tolist() == ["report footer or subtotal row"]


@needs_corpus
def test_sap_amounts_take_their_sign_from_the_soll_haben_indicator(loaded):
    entry = _manifest_entry("je_aicpa_sap_gl_detail.csv")
    raw = pd.read_csv(FOLDER / entry["file"], dtype=str)
    sign = raw["Amount_Credit_Debit_Indicator"].map({"S": 1.0, "H": -1.0})
    expected = (raw["Amount"].astype(float) * sign).round(2)
    result = loaded(entry["file"])
    assert result.column_mapping["debit_credit_indicator"] == "Amount_Credit_Debit_Indicator"
    assert result.transactions["amount"].tolist() == expected.tolist()
    # 19000101 stands for "no effective date": those rows take their document date, and say so.
    unset = (raw["Effective_Date"] == "19000101").to_numpy()
    document_dates = pd.to_datetime(raw["Document_Date"], format="%Y%m%d")
    effective = pd.to_datetime(raw["Effective_Date"].where(~unset), format="%Y%m%d")
    assert result.transactions["posting_date"].tolist() == effective.where(~unset, document_dates).tolist()
    assert any("23,137 posting date(s) in 'Effective_Date'" in w and "'Document_Date'" in w for w in result.warnings)


@needs_corpus
def test_quickbooks_debit_and_credit_columns_balance(loaded):
    entry = _manifest_entry("qb_sample_gl_collins.xlsx")
    frame = loaded(entry["file"]).transactions
    assert round(frame.loc[frame["amount"] > 0, "amount"].sum(), 2) == 2_136_028.82
    assert round(frame.loc[frame["amount"] < 0, "amount"].sum(), 2) == -2_136_028.82


@needs_corpus
@pytest.mark.parametrize(
    ("name", "column", "decimal"),
    [
        ("us_hawaii_expenditures_2014.csv", "Amount", "."),
        ("cz_mfcr_paid_invoices_2014.csv", "Castka", ","),
        ("uk_hyndburn_spend_2024_03.csv", "Amount Paid", "."),
        ("uk_oxford_spend_2015q2.csv", "Amount", "."),
    ],
)
def test_amounts_match_an_independent_reading(name, column, decimal, loaded):
    entry = _manifest_entry(name)
    records = _raw_records(entry)
    header = records[entry["header_row"] - 1]
    cells = [r[header.index(column)] for r in records[entry["header_row"] :] if any(c.strip() for c in r)]
    cleaned = [c.replace("£", "").replace("$", "").strip() for c in cells]
    numbers = [float(c.replace(",", "") if decimal == "." else c.replace(",", ".")) for c in cleaned]
    assert round(loaded(name).transactions["amount"].sum(), 2) == round(sum(numbers), 2)


@needs_corpus
def test_dos_code_page_header_and_month_name_dates(loaded):
    result = loaded(_manifest_entry("uk_hyndburn_spend_2020_11.csv")["file"])
    assert result.encoding == "cp850" and "Net Amount(£)" in result.column_mapping.values()
    assert result.date_format == "month-name"
    assert result.transactions["posting_date"].min() == pd.Timestamp("2020-10-21")


@needs_corpus
def test_monthly_sheets_with_one_header_are_one_table(loaded):
    entry = _manifest_entry("uk_lancashire_pcc_spend_2023_24.xlsx")
    result = loaded(entry["file"])
    assert result.sheet_name.startswith("Apr, May, Jun") and result.sheet_name.endswith("Mar '24")
    dates = result.transactions["posting_date"]
    assert (dates.min(), dates.max()) == (pd.Timestamp("2023-04-01"), pd.Timestamp("2024-03-28"))


@needs_corpus
def test_sap_entry_dates_carry_the_separate_entered_time(loaded):
    entry = _manifest_entry("je_aicpa_sap_gl_detail.csv")
    raw = pd.read_csv(FOLDER / entry["file"], dtype=str)
    clock = raw["Entered_Time"].astype(int)  # HHMMSS without zero padding: 93016 is 09:30:16
    seconds = clock // 10_000 * 3600 + clock // 100 % 100 * 60 + clock % 100
    expected = pd.to_datetime(raw["Entered_Date"], format="%Y%m%d") + pd.to_timedelta(seconds, unit="s")
    result = loaded(entry["file"])
    assert result.mapping_details["entry_date"]["time_column"] == "Entered_Time"
    assert result.transactions["entry_date"].tolist() == expected.tolist()


@needs_corpus
def test_quickbooks_lines_take_the_account_of_their_heading_row(loaded):
    entry = _manifest_entry("qb_sample_gl_collins.xlsx")
    result = loaded(entry["file"])
    assert result.mapping_details["account"]["decided_by"] == "heading rows"
    frame = result.transactions
    assert frame["account"].notna().all()
    rejected = result.rejected.sort_values("row_number")
    headings = rejected[rejected["reason"] == "account heading row"]
    totals = rejected[rejected["reason"] == "report footer or subtotal row"]
    checked = 0
    for row_number, raw in zip(headings["row_number"], headings["raw_values"], strict=True):
        name = next(v for v in raw.values() if any(c.isalpha() for c in str(v)))
        closing = totals[
            (totals["row_number"] > row_number)
            & totals["raw_values"].map(lambda r, n=name: f"Total {n}" in [str(v).strip() for v in r.values()])
        ]
        if closing.empty:
            continue
        end = int(closing["row_number"].iloc[0])
        if ((headings["row_number"] > row_number) & (headings["row_number"] < end)).any():
            continue  # a parent: its total sums its sub-accounts too
        lines = frame[(frame["row_number"] > row_number) & (frame["row_number"] < end)]
        total = closing["raw_values"].iloc[0]
        debit, credit = (float(total[side] or 0) for side in ("Debit", "Credit"))
        assert set(lines["account"]) <= {name}
        assert round(lines["amount"].sum(), 2) == round(debit - credit, 2), name
        checked += 1
    assert checked >= 80
