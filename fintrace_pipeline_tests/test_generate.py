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
from fintrace_pipeline.generate import catalog as cat
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


@pytest.fixture(scope="module")
def entries(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per journal entry: what it is made of and its labelled kinds."""
    df = frame.assign(
        ap_credit=(frame["GL Account"] == "2000") & (frame["cents"] < 0),
        ap_debit=(frame["GL Account"] == "2000") & (frame["cents"] > 0),
        cash_credit=(frame["GL Account"] == "1000") & (frame["cents"] < 0),
        expense_debit=frame["GL Account"].isin(VENDOR_ACCOUNTS) & (frame["cents"] > 0),
        debit_cents=frame["cents"].clip(lower=0),
    )
    per = df.groupby("JE Number", sort=False)
    out = pd.DataFrame(
        {
            "lines": per.size(),
            "vendors": per["Vendor Name"].nunique(),
            "vendor_lines": per["Vendor Name"].count(),
            "invoices": per["Invoice #"].nunique(),
            "invoice_lines": per["Invoice #"].count(),
            "vendor": per["Vendor Name"].first(),
            "invoice": per["Invoice #"].first(),
            "total": per["debit_cents"].sum(),
            "ap_credit": per["ap_credit"].sum(),
            "ap_debit": per["ap_debit"].sum(),
            "cash_credit": per["cash_credit"].sum(),
            "expense_debit": per["expense_debit"].sum(),
            "description": per["Description"].first(),
            "posted": per["Posting Date"].first(),
            "entered": per["Entry Date"].first(),
            "kinds": per["kinds"].agg(lambda k: frozenset().union(*k)),
        }
    )
    out["labelled"] = out["kinds"].map(len) > 0
    out["reversal"] = out["description"].str.startswith("Reversal of JE-", na=False)
    out["reverses"] = out["description"].str.removeprefix("Reversal of ").where(out["reversal"])
    out["payment"] = (out["lines"] == 2) & (out["ap_debit"] == 1) & (out["cash_credit"] == 1) & ~out["reversal"]
    out["invoice_entry"] = (out["expense_debit"] == out["lines"] - 1) & (out["vendor_lines"] > 0) & ~out["reversal"]
    return out


VENDOR_ACCOUNTS = {a.code for a in cat.ACCOUNTS if a.vendor_words}


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


def pairs_of(generated: GeneratedLedger, entries: pd.DataFrame, kind: str) -> list[tuple[pd.Series, pd.Series]]:
    """Per case of a duplicate kind, its two entries: the original, then the copy."""
    labels = generated.labels[generated.labels["kind"] == kind]
    pairs = []
    for _, case in labels.groupby("group"):
        pair = entries.loc[case["je_number"].unique()].sort_values(["posted", "entered"])
        assert len(pair) == 2
        pairs.append((pair.iloc[0], pair.iloc[1]))
    return pairs


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
    assert frame["GL Account"].str[0].isin(list("12345678")).all()
    # A vendor line always has an invoice number (or a payment's reference), and accounts payable is
    # only ever posted with a vendor.
    assert (frame["Vendor Name"].notna() == frame["Invoice #"].notna()).all()
    assert frame.loc[frame["GL Account"] == "2000", "Vendor Name"].notna().all()


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


# ---- entries as an ERP writes them ------------------------------------------------------------


def test_vendor_entries_carry_vendor_and_invoice_on_every_line(entries: pd.DataFrame) -> None:
    vendor_entries = entries[entries["vendor_lines"] > 0]
    assert (vendor_entries["vendor_lines"] == vendor_entries["lines"]).all()
    assert (vendor_entries["invoice_lines"] == vendor_entries["lines"]).all()
    assert (vendor_entries[["vendors", "invoices"]] == 1).all().all()
    # Every one is an invoice (expense debits, one AP or cash credit), a payment or a reversal.
    invoices = vendor_entries[vendor_entries["invoice_entry"]]
    assert ((invoices["ap_credit"] + invoices["cash_credit"]) == 1).all()
    kinds = vendor_entries["invoice_entry"].astype(int) + vendor_entries["payment"] + vendor_entries["reversal"]
    assert (kinds == 1).all()
    assert 0.25 <= vendor_entries["invoice_entry"].mean() <= 0.75


def test_manual_journals_carry_no_vendor(frame: pd.DataFrame, entries: pd.DataFrame) -> None:
    unnamed = entries[entries["vendor_lines"] == 0]
    described = unnamed["description"].fillna("")
    for words in ("Month-end accrual", "Reclassification", "Salaries", "Payroll"):
        assert described.str.startswith(words).any(), words
    payroll = frame[frame["GL Account"].isin(["5900", "5910"])]
    assert len(payroll) and payroll["Vendor Name"].isna().all()
    accrued = frame[(frame["GL Account"] == "2100") & frame["Description"].str.startswith("Month-end", na=False)]
    assert len(accrued) and accrued["Vendor Name"].isna().all()


def test_payments_pay_one_earlier_invoice_each(entries: pd.DataFrame) -> None:
    payments = entries[entries["payment"] & (entries["vendor_lines"] > 0)]
    reversed_ = entries.loc[entries["reversal"], "reverses"]
    invoices = entries[entries["invoice_entry"] & (entries["ap_credit"] == 1)].drop(reversed_, errors="ignore")
    by_reference = payments["invoice"].str.fullmatch(r"PAY-\d{6}")
    assert 0.15 <= by_reference.mean() <= 0.35
    assert payments.loc[by_reference, "invoice"].is_unique
    quoting = payments[~by_reference & ~payments["labelled"]]
    paid = quoting.reset_index().merge(
        invoices.reset_index(), on=["vendor", "invoice", "total"], suffixes=("", "_invoice")
    )
    # Each pays an invoice of its vendor, number and total (a duplicate copy may match as well), keyed
    # in two to eight weeks before.
    lag = (paid["posted"] - paid["entered_invoice"].dt.normalize()).dt.days
    on_time = paid.assign(on_time=lag.between(10, 62)).groupby("JE Number")["on_time"].any()
    assert len(on_time) == len(quoting) and on_time.all()
    # Most AP invoices of the first ten months are paid.
    early = invoices[invoices["posted"] < "2025-11-01"]
    paid_share = early.set_index(["vendor", "invoice"]).index.isin(payments.set_index(["vendor", "invoice"]).index)
    assert paid_share.mean() >= 0.6


def test_reversals_swap_the_sides_of_an_earlier_entry(frame: pd.DataFrame, entries: pd.DataFrame) -> None:
    reversals = entries[entries["reversal"]]
    assert len(reversals)
    assert reversals["reverses"].isin(entries.index).all()
    lines = frame.set_index("JE Number")
    for je, reversal in reversals.iterrows():
        original = entries.loc[reversal["reverses"]]
        assert original["posted"] < reversal["posted"] and original["entered"] < reversal["entered"]
        mine, theirs = lines.loc[[je]], lines.loc[[reversal["reverses"]]]
        assert mine["GL Account"].tolist() == theirs["GL Account"].tolist()
        assert mine["cents"].tolist() == (-theirs["cents"]).tolist()
        assert mine["Vendor Name"].fillna("").tolist() == theirs["Vendor Name"].fillna("").tolist()
    # Accruals come back on the first business day of the next month; a reversed invoice is entered
    # again after its reversal (same vendor, number and total) and only the re-entry is paid.
    accruals = reversals[reversals["vendor_lines"] == 0]
    assert len(accruals) and (accruals["posted"].dt.day <= 4).all()
    invoices = reversals[reversals["vendor_lines"] > 0]
    assert len(invoices)
    for _, reversal in invoices.iterrows():
        same = entries[(entries["vendor"] == reversal["vendor"]) & (entries["invoice"] == reversal["invoice"])]
        again = same[same["invoice_entry"] & (same["posted"] > reversal["posted"])]
        assert len(again) == 1 and again["total"].iloc[0] == reversal["total"]
        paying = entries[entries["payment"] & (entries["vendor"] == reversal["vendor"])]
        paying = paying[paying["total"] == reversal["total"]]
        assert len(paying) == 1 and paying["posted"].iloc[0] > again["posted"].iloc[0]


# ---- labels -----------------------------------------------------------------------------------


def test_every_kind_is_injected_at_a_realistic_rate(generated, frame) -> None:
    labels = generated.labels
    assert set(labels["kind"]) == INJECTED_RULE_KINDS | set(ML_KINDS)
    assert INJECTED_RULE_KINDS <= set(RULES)
    assert all(k.islower() for k in ML_KINDS)
    assert 0.008 <= labels["row_number"].nunique() / ROWS <= 0.025
    assert (frame["Transaction ID"].to_numpy()[labels["row_number"] - 1] == labels["transaction_id"]).all()
    assert (frame["JE Number"].to_numpy()[labels["row_number"] - 1] == labels["je_number"]).all()
    assert not labels.duplicated(["row_number", "kind"]).any()


def test_about_one_percent_of_a_large_ledger_is_labelled() -> None:
    labels = generate_ledger(120_000, seed=4).labels
    assert 0.008 <= labels["row_number"].nunique() / 120_000 <= 0.013


def test_entry_kinds_label_whole_entries(generated, frame) -> None:
    one_line = {"UNUSUAL_USER_ACCOUNT", "MISSING_DESCRIPTION"}
    size = frame.groupby("JE Number").size()
    for kind, labelled in generated.labels.groupby("kind"):
        per_entry = labelled.groupby("je_number").size()
        expected = 1 if kind in one_line else size.loc[per_entry.index]
        assert (per_entry == expected).all(), kind


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


def test_duplicates_are_second_whole_invoice_entries(generated, entries) -> None:
    for kind in INJECTED_RULE_KINDS:
        if not kind.startswith("DUP_"):
            continue
        for original, copy in pairs_of(generated, entries, kind):
            assert original["invoice_entry"] and copy["invoice_entry"], kind
            assert copy["lines"] == original["lines"] and copy["vendor_lines"] == copy["lines"], kind
            assert copy["posted"] > original["posted"] and copy["entered"] > original["entered"], kind


def test_exact_duplicates_only_where_labelled(generated, entries) -> None:
    for original, copy in pairs_of(generated, entries, "DUP_EXACT"):
        assert (original["vendor"], original["invoice"], original["total"]) == (
            copy["vendor"],
            copy["invoice"],
            copy["total"],
        )
        assert 1 <= (copy["posted"] - original["posted"]).days <= 10
    invoices = entries[entries["invoice_entry"]]
    repeated = invoices[invoices.duplicated(["vendor", "invoice", "total"], keep=False)]
    copies = {copy.name for _, copy in pairs_of(generated, entries, "DUP_EXACT")}
    originals = {original.name for original, _ in pairs_of(generated, entries, "DUP_EXACT")}
    reversed_ = set(entries.loc[entries["reversal"] & (entries["vendor_lines"] > 0), "reverses"])
    reentered = set(repeated.index) - copies - originals - reversed_
    # Apart from the labelled pairs, only reversed invoices and their re-entries repeat an invoice.
    assert copies <= set(repeated.index)
    assert len(reentered) == len(reversed_)


def test_other_duplicate_labels(generated, entries) -> None:
    for original, copy in pairs_of(generated, entries, "DUP_INVOICE_AMOUNT_DIFF"):
        assert original["vendor"] == copy["vendor"] and original["invoice"] == copy["invoice"]
        assert original["total"] != copy["total"]

    for original, copy in pairs_of(generated, entries, "DUP_VENDOR_AMOUNT_NEAR_DATE"):
        assert original["vendor"] == copy["vendor"] and original["total"] == copy["total"]
        assert normalized_invoice(original["invoice"]) != normalized_invoice(copy["invoice"])
        assert (copy["posted"] - original["posted"]).days <= 7

    for original, copy in pairs_of(generated, entries, "DUP_INVOICE_NORMALIZED"):
        assert original["vendor"] == copy["vendor"] and original["total"] == copy["total"]
        assert original["invoice"] != copy["invoice"]
        assert normalized_invoice(original["invoice"]) == normalized_invoice(copy["invoice"])
        assert (copy["posted"] - original["posted"]).days > 7

    for original, copy in pairs_of(generated, entries, "DUP_VENDOR_NAME_VARIANT"):
        assert original["invoice"] == copy["invoice"] and original["total"] == copy["total"]
        assert original["vendor"] != copy["vendor"] and vendor_stem(original["vendor"]) == vendor_stem(copy["vendor"])


def test_invoice_numbers_unique_apart_from_labelled_duplicates(entries) -> None:
    same_invoice = {"DUP_EXACT", "DUP_INVOICE_AMOUNT_DIFF", "DUP_INVOICE_NORMALIZED", "DUP_VENDOR_NAME_VARIANT"}
    invoices = entries[entries["invoice_entry"] & entries["kinds"].map(lambda k: not k & same_invoice)]
    reversed_ = entries.loc[entries["reversal"] & (entries["vendor_lines"] > 0), "reverses"]
    normal = invoices.drop(reversed_)  # each reversed invoice is entered again under its number
    assert normal["invoice"].map(normalized_invoice).is_unique
    # A vendor never bills the same total twice, except in labelled cases.
    unlabelled = normal[~normal["labelled"]]
    assert not unlabelled.duplicated(["vendor", "total"]).any()


def test_amount_labels(generated, frame, entries) -> None:
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
    # No payment repeats an injected amount: those invoices are unpaid.
    for kind in ("ROUND_AMOUNT", "JUST_BELOW_LIMIT", "USER_AMOUNT_OUTLIER"):
        cases = entries.loc[rows_of(generated, frame, kind)["JE Number"].unique()]
        payments = entries[entries["payment"]]
        assert not payments.set_index(["vendor", "total"]).index.isin(cases.set_index(["vendor", "total"]).index).any()


def test_unusual_account_and_missing_description(generated, frame) -> None:
    pair_count = frame.groupby(["Entered By", "GL Account"]).size()
    unusual = rows_of(generated, frame, "UNUSUAL_USER_ACCOUNT")
    counts = pair_count.loc[list(zip(unusual["Entered By"], unusual["GL Account"], strict=True))]
    assert (counts <= 3).all()  # a case or two, in a large ledger perhaps three: still "never" otherwise
    assert (frame.groupby("Entered By").size().loc[unusual["Entered By"]] >= 20).all()

    missing = frame["Description"].isna()
    assert set(frame.loc[missing, "row_number"]) == set(rows_of(generated, frame, "MISSING_DESCRIPTION")["row_number"])


def test_vendor_burst_and_amount_drift(generated, frame, entries) -> None:
    bursts = rows_of(generated, frame, "vendor_burst")
    assert len(bursts)
    invoices = entries[entries["invoice_entry"]]
    for _, burst in bursts.groupby("group"):
        burst_entries = entries.loc[burst["JE Number"].unique()]
        assert burst_entries["vendor"].nunique() == 1 and len(burst_entries) >= 4
        assert burst_entries["invoice_entry"].all()
        week = burst_entries["posted"].dt.to_period("W")
        assert week.nunique() == 1
        vendor_invoices = invoices[invoices["vendor"] == burst_entries["vendor"].iloc[0]]
        in_week = (vendor_invoices["posted"].dt.to_period("W") == week.iloc[0]).sum()
        usual_weekly = (~vendor_invoices["labelled"]).sum() / 52
        assert in_week >= 5 * usual_weekly

    drifts = rows_of(generated, frame, "amount_drift")
    assert len(drifts)
    for _, drift in drifts.groupby("group"):
        drift_entries = entries.loc[drift["JE Number"].unique()]
        drifted = drift_entries[drift_entries["invoice_entry"]]
        assert drifted.index.map(lambda je: frame.loc[frame["JE Number"] == je, "Entered By"].iloc[0]).nunique() == 1
        assert (drifted["posted"].max() - drifted["posted"].min()).days <= 14
        # The rest are the payments of those invoices.
        payments = drift_entries[~drift_entries["invoice_entry"]]
        assert payments["payment"].all()
        paid = drifted.set_index(["vendor", "total"]).index
        assert payments.set_index(["vendor", "total"]).index.isin(paid).all()
        rows = drift[drift["JE Number"].isin(drifted.index)]
        user = frame[(frame["Entered By"] == rows["Entered By"].iloc[0]) & (frame["kinds"].map(len) == 0)]
        usual = user.groupby("GL Account")["amount"].median()
        ratio = (rows["amount"] / rows["GL Account"].map(usual)).median()
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
