"""What one file adds to its source's history: per vendor, user, account and pair, per month, how many
lines, their gross amount and the first and last day; and the compact index of its vendor documents
that later files look their duplicates up in.

Kept per file, so re-processing a file replaces its own share instead of adding it a second time, and
a file is compared with exactly the files whose data comes before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.duplicates.normalize import normalize_invoice, normalize_vendor

# The entities whose history is kept, with the canonical columns that name them.
KINDS = {
    "vendor": ("vendor",),
    "user": ("user",),
    "account": ("account",),
    "user_account": ("user", "account"),
    "vendor_account": ("vendor", "account"),
}
TOTAL = "total"  # the file's own lines, all of them (key "")
PAIR_SEPARATOR = " → "
MONTHLY_COLUMNS = ("kind", "key", "month", "rows", "total", "first_date", "last_date")
# One row per vendor line: looked up by (kind, match_key) — "invoice": vendor|invoice, "amount": vendor|cents.
DOCUMENT_COLUMNS = ("kind", "match_key", "row_number", "posting_date", "amount", "invoice")
MATCH_SEPARATOR = "|"


@dataclass(frozen=True)
class Contribution:
    period_start: pd.Timestamp | None
    period_end: pd.Timestamp | None
    rows: int
    monthly: pd.DataFrame  # MONTHLY_COLUMNS
    documents: pd.DataFrame  # DOCUMENT_COLUMNS


def entity_keys(transactions: pd.DataFrame) -> dict[str, pd.Series]:
    """Per kind the file has the columns for: each line's key (NA where a part is blank). Vendors are
    keyed by their normalised name, as the duplicate tests compare them."""
    parts: dict[str, pd.Series] = {}
    if "vendor" in transactions.columns:
        parts["vendor"] = vendor_keys(transactions["vendor"])
    for column in ("user", "account"):
        if column in transactions.columns:
            parts[column] = text_values(transactions[column])
    keys: dict[str, pd.Series] = {}
    for kind, columns in KINDS.items():
        if all(c in parts for c in columns):
            key = parts[columns[0]]
            for column in columns[1:]:
                key = key + PAIR_SEPARATOR + parts[column]
            keys[kind] = key
    return keys


def vendor_keys(values: pd.Series) -> pd.Series:
    """Each line's vendor as the duplicate tests normalise it, each distinct name normalised once."""
    names = text_values(values)
    codes, distinct = pd.factorize(names)
    normalised = normalize_vendor(pd.Series(distinct, dtype="string")).to_numpy(dtype=object)
    keyed = np.where(codes >= 0, normalised[np.maximum(codes, 0)] if len(normalised) else None, None)
    return pd.Series(keyed, index=values.index, dtype="string")


def invoice_keys(values: pd.Series) -> pd.Series:
    names = text_values(values)
    codes, distinct = pd.factorize(names)
    normalised = normalize_invoice(pd.Series(distinct, dtype="string")).to_numpy(dtype=object)
    keyed = np.where(codes >= 0, normalised[np.maximum(codes, 0)] if len(normalised) else None, None)
    return pd.Series(keyed, index=values.index, dtype="string")


def month_of(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m")


def file_contribution(transactions: pd.DataFrame) -> Contribution:
    dates = pd.to_datetime(transactions["posting_date"])
    gross = transactions["amount"].astype("float64").abs()
    month = month_of(dates)
    frames = [_monthly(TOTAL, pd.Series("", index=transactions.index, dtype="string"), month, gross, dates)]
    for kind, key in entity_keys(transactions).items():
        frames.append(_monthly(kind, key, month, gross, dates))
    monthly = pd.concat(frames, ignore_index=True)
    return Contribution(
        period_start=dates.min() if len(dates) else None,
        period_end=dates.max() if len(dates) else None,
        rows=len(transactions),
        monthly=monthly,
        documents=document_index(transactions),
    )


def _monthly(kind: str, key: pd.Series, month: pd.Series, gross: pd.Series, dates: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"key": key, "month": month, "gross": gross, "date": dates}).dropna(subset=["key", "month"])
    grouped = frame.groupby(["key", "month"], sort=True).agg(
        rows=("gross", "size"), total=("gross", "sum"), first_date=("date", "min"), last_date=("date", "max")
    )
    grouped = grouped.reset_index().assign(kind=kind)
    grouped["total"] = grouped["total"].round(2)
    return grouped.loc[:, list(MONTHLY_COLUMNS)]


def document_index(transactions: pd.DataFrame) -> pd.DataFrame:
    """One "amount" row per vendor line and one "invoice" row per vendor line with an invoice number."""
    if "vendor" not in transactions.columns:
        return pd.DataFrame(columns=list(DOCUMENT_COLUMNS))
    vendor = vendor_keys(transactions["vendor"])
    has_vendor = vendor.notna().to_numpy()
    lines = transactions.loc[has_vendor]
    vendor = vendor[has_vendor]
    amount = lines["amount"].astype("float64").abs().round(2)
    cents = (amount * 100).round().astype("int64").astype(str)
    invoice = (
        invoice_keys(lines["invoice_number"])
        if "invoice_number" in lines.columns
        else pd.Series(pd.NA, index=lines.index, dtype="string")
    )
    common = {
        "row_number": lines["row_number"].astype("int64"),
        "posting_date": pd.to_datetime(lines["posting_date"]),
        "amount": amount,
        "invoice": invoice,
    }
    by_amount = pd.DataFrame({"kind": "amount", "match_key": vendor + MATCH_SEPARATOR + cents, **common})
    with_invoice = invoice.notna().to_numpy()
    by_invoice = pd.DataFrame({"kind": "invoice", "match_key": vendor + MATCH_SEPARATOR + invoice, **common}).loc[
        with_invoice
    ]
    documents = pd.concat([by_invoice, by_amount], ignore_index=True)
    return documents.loc[:, list(DOCUMENT_COLUMNS)]
