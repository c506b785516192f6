from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fintrace_pipeline.generate import (
    LABEL_COLUMNS,
    LEDGER_COLUMNS,
    MIN_ROWS_FOR_ANOMALIES,
    ML_KINDS,
    GeneratedLedger,
    generate_ledger,
    write_ledger,
)
from fintrace_pipeline.rules import RULES

ROWS = 6_000
INJECTED_RULE_KINDS = {
    "DUP_EXACT",
    "DUP_INVOICE_AMOUNT_DIFF",
    "DUP_VENDOR_AMOUNT_NEAR_DATE",
    "DUP_INVOICE_NORMALIZED",
    "DUP_VENDOR_NAME_VARIANT",
    "WEEKEND_POSTING",
    "AFTER_HOURS",
    "ROUND_AMOUNT",
    "JUST_BELOW_LIMIT",
    "USER_AMOUNT_OUTLIER",
    "UNUSUAL_USER_ACCOUNT",
    "MISSING_DESCRIPTION",
    "BACKDATED_ENTRY",
    "UNBALANCED_ENTRY",
    "SELF_APPROVED",
}


@pytest.fixture(scope="module")
def generated() -> GeneratedLedger:
    return generate_ledger(ROWS, seed=11)


@pytest.fixture(scope="module")
def frame(generated: GeneratedLedger) -> pd.DataFrame:
    """The ledger with helper columns: signed cents, amount, row number and the labelled kinds."""
    df = generated.ledger.copy()
    df["row_number"] = np.arange(1, len(df) + 1)
    debit = df["Debit"].fillna(0).to_numpy()
    credit = df["Credit"].fillna(0).to_numpy()
    df["cents"] = np.round((debit - credit) * 100).astype(np.int64)
    df["amount"] = np.where(df["Debit"].notna(), debit, credit)
    kinds = generated.labels.groupby("row_number")["kind"].agg(frozenset)
    df["kinds"] = df["row_number"].map(kinds).apply(lambda k: k if isinstance(k, frozenset) else frozenset())
    return df


def rows_of(generated: GeneratedLedger, frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    labels = generated.labels[generated.labels["kind"] == kind]
    return frame.iloc[labels["row_number"].to_numpy() - 1].assign(group=labels["group"].to_numpy())


def normalized_invoice(value: str) -> str:
    """Case, spaces, punctuation and leading zeros (at the start or after a letter) ignored."""
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", re.sub(r"[^0-9a-z]", "", value.lower()))


def vendor_stem(name: str) -> str:
    words = re.sub(r"[^a-z ]", "", name.lower()).split()
    legal = {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "gmbh"}
    return " ".join(w for w in words if w not in legal)


# ---- shape and determinism --------------------------------------------------------------------


@pytest.mark.parametrize("rows", [0, 2, 3, 7, 11, 999, MIN_ROWS_FOR_ANOMALIES, 2_345])
def test_row_count_is_exact(rows: int) -> None:
    result = generate_ledger(rows, seed=3)
    assert len(result.ledger) == rows
    assert tuple(result.ledger.columns) == LEDGER_COLUMNS
    assert tuple(result.labels.columns) == LABEL_COLUMNS
    if rows < MIN_ROWS_FOR_ANOMALIES:
        assert result.labels.empty


def test_one_row_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        generate_ledger(1)


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    first, again, other = generate_ledger(2_000, seed=5), generate_ledger(2_000, seed=5), generate_ledger(2_000, 6)
    pd.testing.assert_frame_equal(first.ledger, again.ledger)
    pd.testing.assert_frame_equal(first.labels, again.labels)
    assert not first.ledger["Debit"].equals(other.ledger["Debit"])
    assert not first.labels.equals(other.labels)


def test_headers_formats_and_entities(frame: pd.DataFrame) -> None:
    assert frame["Transaction ID"].is_unique
    assert (frame["Currency"] == "USD").all()
    assert frame["Posting Date"].between("2025-01-01", "2026-03-01").all()
    assert (frame["Posting Date"] == frame["Posting Date"].dt.normalize()).all()
    # Exactly one of Debit / Credit per line, positive, in cents.
    assert (frame["Debit"].isna() ^ frame["Credit"].isna()).all()
    assert (frame["amount"] > 0).all()
    assert np.allclose(frame["amount"] * 100, np.round(frame["amount"] * 100))
    assert 15 <= frame["Entered By"].nunique() <= 40
    assert frame.loc[frame["Entered By"] != frame["Approved By"], "Approved By"].nunique() <= 5
    # Expense lines carry a vendor and an invoice number; other lines carry neither.
    expense = frame["GL Account"].astype(int).between(5000, 8999)
    assert frame.loc[expense, "Vendor Name"].notna().all() and frame.loc[expense, "Invoice #"].notna().all()
    assert frame.loc[~expense, "Vendor Name"].isna().all() and frame.loc[~expense, "Invoice #"].isna().all()
    assert frame["GL Account"].str[0].isin(list("12345678")).all()


def test_journal_entries_are_numbered_in_keying_order(frame: pd.DataFrame) -> None:
    numbers = frame["JE Number"].str.removeprefix("JE-").astype(int).to_numpy()
    assert frame["JE Number"].str.fullmatch(r"JE-\d{6}").all()
    assert numbers[0] == 1 and np.all(np.diff(numbers) >= 0) and np.all(np.diff(numbers) <= 1)
    sizes = frame.groupby("JE Number").size()
    assert sizes.between(2, 6).all()
    per_entry = frame.groupby("JE Number")
    assert (per_entry["Posting Date"].nunique() == 1).all()
    assert (per_entry["Entry Date"].nunique() == 1).all()
    assert frame["Entry Date"].is_monotonic_increasing


def test_entries_balance_except_the_labelled_unbalanced_ones(generated, frame) -> None:
    totals = frame.groupby("JE Number")["cents"].sum()
    unbalanced = set(rows_of(generated, frame, "UNBALANCED_ENTRY")["JE Number"])
    assert unbalanced
    assert (totals.drop(list(unbalanced)) == 0).all()
    assert (totals.loc[list(unbalanced)] != 0).all()
    # Every line of an unbalanced entry is labelled.
    assert frame["JE Number"].isin(unbalanced).sum() == len(rows_of(generated, frame, "UNBALANCED_ENTRY"))


# ---- labels -----------------------------------------------------------------------------------


def test_every_kind_is_injected_at_a_realistic_rate(generated, frame) -> None:
    labels = generated.labels
    assert set(labels["kind"]) == INJECTED_RULE_KINDS | set(ML_KINDS)
    assert INJECTED_RULE_KINDS <= set(RULES)
    assert all(k.islower() for k in ML_KINDS)
    assert 0.01 <= labels["row_number"].nunique() / ROWS <= 0.03
    assert (frame["Transaction ID"].to_numpy()[labels["row_number"] - 1] == labels["transaction_id"]).all()
    assert not labels.duplicated(["row_number", "kind"]).any()


def test_timing_labels(generated, frame) -> None:
    weekend = rows_of(generated, frame, "WEEKEND_POSTING")
    assert (weekend["Posting Date"].dt.day_of_week >= 5).all()
    assert weekend["Entry Date"].dt.hour.between(8, 17).all()

    late = rows_of(generated, frame, "AFTER_HOURS")
    hour = late["Entry Date"].dt.hour
    assert ((hour >= 22) | (hour < 5)).all()
    assert (late["Posting Date"].dt.day_of_week < 5).all()

    backdated = rows_of(generated, frame, "BACKDATED_ENTRY")
    lag = (backdated["Entry Date"].dt.normalize() - backdated["Posting Date"]).dt.days
    assert (lag >= 45).all()
    unlabelled = frame[frame["kinds"].map(len) == 0]
    normal_lag = (unlabelled["Entry Date"].dt.normalize() - unlabelled["Posting Date"]).dt.days
    assert normal_lag.between(0, 20).all()
    # Natural weekend / after-hours entries exist in the base, but rarely.
    natural_weekend = (unlabelled["Posting Date"].dt.day_of_week >= 5).mean()
    natural_late = (~unlabelled["Entry Date"].dt.hour.between(8, 17)).mean()
    assert 0 < natural_weekend < 0.02 and 0 < natural_late < 0.02


def test_self_approval_only_where_labelled(generated, frame) -> None:
    same = frame["Entered By"] == frame["Approved By"]
    labelled = rows_of(generated, frame, "SELF_APPROVED")
    assert same.sum() == len(labelled) > 0
    assert same.iloc[labelled["row_number"] - 1].all()


def test_exact_duplicates_only_where_labelled(generated, frame) -> None:
    pairs = rows_of(generated, frame, "DUP_EXACT")
    for _, group in pairs.groupby("group"):
        assert len(group) == 2
        assert group[["Vendor Name", "Invoice #", "cents"]].nunique().max() == 1
        assert 1 <= abs((group["Posting Date"].iloc[1] - group["Posting Date"].iloc[0]).days) <= 10
    key = ["Vendor Name", "Invoice #", "cents"]
    repeated = frame[frame["Vendor Name"].notna() & frame.duplicated(key, keep=False)]
    assert set(repeated["row_number"]) == set(pairs["row_number"])


def test_other_duplicate_labels(generated, frame) -> None:
    for _, g in rows_of(generated, frame, "DUP_INVOICE_AMOUNT_DIFF").groupby("group"):
        assert g["Vendor Name"].nunique() == 1 and g["Invoice #"].nunique() == 1 and g["cents"].nunique() == 2

    for _, g in rows_of(generated, frame, "DUP_VENDOR_AMOUNT_NEAR_DATE").groupby("group"):
        assert g["Vendor Name"].nunique() == 1 and g["cents"].nunique() == 1
        assert g["Invoice #"].map(normalized_invoice).nunique() == 2
        assert abs((g["Posting Date"].iloc[1] - g["Posting Date"].iloc[0]).days) <= 7

    for _, g in rows_of(generated, frame, "DUP_INVOICE_NORMALIZED").groupby("group"):
        assert g["Vendor Name"].nunique() == 1 and g["cents"].nunique() == 1
        assert g["Invoice #"].nunique() == 2 and g["Invoice #"].map(normalized_invoice).nunique() == 1
        assert abs((g["Posting Date"].iloc[1] - g["Posting Date"].iloc[0]).days) > 7

    for _, g in rows_of(generated, frame, "DUP_VENDOR_NAME_VARIANT").groupby("group"):
        assert g["Invoice #"].nunique() == 1 and g["cents"].nunique() == 1
        assert g["Vendor Name"].nunique() == 2 and g["Vendor Name"].map(vendor_stem).nunique() == 1


def test_invoice_numbers_unique_apart_from_labelled_duplicates(generated, frame) -> None:
    same_invoice = {"DUP_EXACT", "DUP_INVOICE_AMOUNT_DIFF", "DUP_INVOICE_NORMALIZED", "DUP_VENDOR_NAME_VARIANT"}
    invoiced = frame[frame["Invoice #"].notna() & frame["kinds"].map(lambda k: not k & same_invoice)]
    assert invoiced["Invoice #"].map(normalized_invoice).is_unique
    # A vendor never bills the same amount twice, except in labelled cases.
    normal = frame[frame["Vendor Name"].notna() & (frame["kinds"].map(len) == 0)]
    assert not normal.duplicated(["Vendor Name", "cents"]).any()


def test_amount_labels(generated, frame) -> None:
    round_rows = rows_of(generated, frame, "ROUND_AMOUNT")
    assert (round_rows["cents"].abs() % 100_000 == 0).all()
    unlabelled = frame[frame["kinds"].map(len) == 0]
    assert (unlabelled["cents"].abs() % 10_000 != 0).all()  # never whole hundreds

    below = rows_of(generated, frame, "JUST_BELOW_LIMIT")["amount"]
    assert below.apply(lambda a: any(0.985 * limit <= a < limit for limit in (5_000, 10_000, 25_000))).all()

    user_median = frame.groupby("Entered By")["amount"].median()
    outliers = rows_of(generated, frame, "USER_AMOUNT_OUTLIER")
    ratio = outliers["amount"] / outliers["Entered By"].map(user_median)
    assert (ratio >= 15).all()


def test_unusual_account_and_missing_description(generated, frame) -> None:
    pair_count = frame.groupby(["Entered By", "GL Account"]).size()
    unusual = rows_of(generated, frame, "UNUSUAL_USER_ACCOUNT")
    counts = pair_count.loc[list(zip(unusual["Entered By"], unusual["GL Account"], strict=True))]
    assert (counts <= 3).all()  # a case or two, in a large ledger perhaps three: still "never" otherwise
    assert (frame.groupby("Entered By").size().loc[unusual["Entered By"]] >= 20).all()

    missing = frame["Description"].isna()
    assert set(frame.loc[missing, "row_number"]) == set(rows_of(generated, frame, "MISSING_DESCRIPTION")["row_number"])


def test_vendor_burst_and_amount_drift(generated, frame) -> None:
    bursts = rows_of(generated, frame, "vendor_burst")
    assert len(bursts)
    for _, burst in bursts.groupby("group"):
        assert burst["Vendor Name"].nunique() == 1 and len(burst) >= 4
        week = burst["Posting Date"].dt.to_period("W")
        assert week.nunique() == 1
        vendor_rows = frame[frame["Vendor Name"] == burst["Vendor Name"].iloc[0]]
        in_week = (vendor_rows["Posting Date"].dt.to_period("W") == week.iloc[0]).sum()
        usual_weekly = (vendor_rows["kinds"].map(len) == 0).sum() / 52
        assert in_week >= 5 * usual_weekly

    drifts = rows_of(generated, frame, "amount_drift")
    assert len(drifts)
    for _, drift in drifts.groupby("group"):
        assert drift["Entered By"].nunique() == 1
        assert (drift["Posting Date"].max() - drift["Posting Date"].min()).days <= 14
        user = frame[(frame["Entered By"] == drift["Entered By"].iloc[0]) & (frame["kinds"].map(len) == 0)]
        usual = user.groupby("GL Account")["amount"].median()
        ratio = (drift["amount"] / drift["GL Account"].map(usual)).median()
        assert ratio > 1.4


# ---- writers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> GeneratedLedger:
    return generate_ledger(1_200, seed=2)


@pytest.mark.parametrize("name", ["ledger.csv", "ledger.csv.gz", "ledger.tsv"])
def test_delimited_round_trip(small: GeneratedLedger, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    write_ledger(small, out, tmp_path / "labels.csv")
    back = pd.read_csv(out, sep="\t" if ".tsv" in name else ",", dtype=str, keep_default_na=False)
    ledger = small.ledger
    assert list(back.columns) == list(LEDGER_COLUMNS) and len(back) == len(ledger)
    assert (back["Posting Date"] == ledger["Posting Date"].dt.strftime("%Y-%m-%d")).all()
    assert (back["Entry Date"] == ledger["Entry Date"].dt.strftime("%Y-%m-%d %H:%M:%S")).all()
    assert (back["Debit"] == ledger["Debit"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")).all()
    assert (back["Credit"] == ledger["Credit"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")).all()
    for column in ("Transaction ID", "Vendor Name", "Invoice #", "Description", "Approved By"):
        assert (back[column] == ledger[column].fillna("")).all()
    labels = pd.read_csv(tmp_path / "labels.csv")
    assert list(labels.columns) == list(LABEL_COLUMNS)
    assert (labels["row_number"] == small.labels["row_number"]).all()
    assert (labels["kind"] == small.labels["kind"]).all()


def test_delimited_output_matches_pandas_and_is_byte_identical(small: GeneratedLedger, tmp_path: Path) -> None:
    write_ledger(small, tmp_path / "a.csv")
    write_ledger(generate_ledger(1_200, seed=2), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    expected = small.ledger.to_csv(index=False, lineterminator="\n", float_format="%.2f")
    assert (tmp_path / "a.csv").read_text() == expected
    write_ledger(small, tmp_path / "a.csv.gz")
    write_ledger(small, tmp_path / "other_name.csv.gz")
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "other_name.csv.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.csv.gz").read_bytes()).decode() == expected


def test_fields_with_separators_are_quoted(small: GeneratedLedger, tmp_path: Path) -> None:
    ledger = small.ledger.head(3).copy()
    ledger.loc[0, "Description"] = 'Dinner, "team"'
    write_ledger(GeneratedLedger(ledger, small.labels.head(0)), tmp_path / "q.csv")
    assert (tmp_path / "q.csv").read_text() == ledger.to_csv(index=False, lineterminator="\n", float_format="%.2f")
    assert pd.read_csv(tmp_path / "q.csv")["Description"].iloc[0] == 'Dinner, "team"'


def test_xlsx_round_trip(tmp_path: Path) -> None:
    generated = generate_ledger(300, seed=4)
    write_ledger(generated, tmp_path / "a.xlsx")
    write_ledger(generated, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True).active
    values = list(sheet.values)
    assert list(values[0]) == list(LEDGER_COLUMNS) and len(values) == 301
    ledger = generated.ledger
    for i in (0, 17, 299):
        cells = list(values[i + 1]) + [None] * (len(LEDGER_COLUMNS) - len(values[i + 1]))  # trailing blanks
        row = dict(zip(LEDGER_COLUMNS, cells, strict=True))
        assert row["Transaction ID"] == ledger["Transaction ID"].iloc[i]
        assert row["Posting Date"].date() == ledger["Posting Date"].iloc[i].date()
        assert row["Entry Date"] == ledger["Entry Date"].iloc[i].to_pydatetime()
        assert row["Debit"] == (None if pd.isna(ledger["Debit"].iloc[i]) else ledger["Debit"].iloc[i])
        assert row["Credit"] == (None if pd.isna(ledger["Credit"].iloc[i]) else ledger["Credit"].iloc[i])
    back = pd.read_excel(tmp_path / "a.xlsx", dtype={"GL Account": str})
    assert (back["GL Account"] == ledger["GL Account"]).all()


def test_unknown_extension_is_refused(small: GeneratedLedger, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        write_ledger(small, tmp_path / "ledger.parquet")


def test_temporary_suffix_is_ignored(small: GeneratedLedger, tmp_path: Path) -> None:
    write_ledger(small, tmp_path / "ledger.csv.part")
    write_ledger(small, tmp_path / "ledger.csv")
    assert (tmp_path / "ledger.csv.part").read_bytes() == (tmp_path / "ledger.csv").read_bytes()
