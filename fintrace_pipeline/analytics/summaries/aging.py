"""Aging: the days from a line's document (invoice) date to its posting (payment) date, in bands; payments
later than the payment terms; payments dated before their invoice.

It reads ``document_date``, the invoice or document date of the line, beside ``posting_date``
(ingest maps an "Invoice Date", "Belegdatum", "Rechnungsdatum" … column to it); a file without one has
the summary listed as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import iso_days
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.summaries.common import key_column, money, ratio

DOCUMENT_DATE = "document_date"
BEFORE_DOCUMENT = "before the document date"


@dataclass(frozen=True)
class AgingOptions(Options):
    aging_bands: tuple[int, ...] = (30, 60, 90, 180)  # upper days of each band; beyond the last: "more"
    payment_terms_days: int = 30  # paid later than this many days after the document date is late
    aging_top_n: int = 25  # late and early lines, and vendors, listed


def aging_labels(bands: tuple[int, ...]) -> list[str]:
    lows = [0, *[b + 1 for b in bands]]
    labels = [f"{low}–{high} days" for low, high in zip(lows, bands, strict=False)]
    return [BEFORE_DOCUMENT, *labels, f"more than {bands[-1]} days"]


def _listed(frame: pd.DataFrame, mask: np.ndarray, days: np.ndarray, volume: np.ndarray, top_n: int) -> list[dict]:
    """The lines of ``mask``, the largest first."""
    positions = np.flatnonzero(mask)
    positions = positions[np.argsort(-volume[positions], kind="stable")][:top_n]
    rows = []
    for p in positions.tolist():
        row = {
            "row_number": int(frame["row_number"].iloc[p]),
            "document_date": str(iso_days(frame[DOCUMENT_DATE].to_numpy()[p : p + 1])[0]),
            "posting_date": str(iso_days(frame["posting_date"].to_numpy()[p : p + 1])[0]),
            "days": int(days[p]),
            "amount": money(frame["amount"].iloc[p]),
        }
        if "vendor" in frame.columns:
            vendor = frame["vendor"].iloc[p]
            row["vendor"] = None if pd.isna(vendor) else str(vendor)
        rows.append(row)
    return rows


def aging(frame: pd.DataFrame, options: AgingOptions) -> dict[str, Any]:
    """Days outstanding per band, late payments and payments before the document date (lines with both
    dates)."""
    document = frame[DOCUMENT_DATE].to_numpy().astype("datetime64[D]")
    posted = frame["posting_date"].to_numpy().astype("datetime64[D]")
    dated = ~np.isnat(document) & ~np.isnat(posted)
    days = np.where(dated, (posted - document).astype("int64"), 0)
    volume = np.abs(np.nan_to_num(frame["amount"].to_numpy(dtype="float64", na_value=np.nan)))
    bands = tuple(sorted(set(options.aging_bands)))
    labels = aging_labels(bands)
    # Band 0: before the document date; then one per upper bound; the last: beyond them all.
    band = np.where(days < 0, 0, 1 + np.searchsorted(np.asarray(bands), days, side="left"))
    band_lines = np.bincount(band[dated], minlength=len(labels))
    band_total = np.bincount(band[dated], weights=volume[dated], minlength=len(labels))
    n, total = int(dated.sum()), float(volume[dated].sum())
    late = dated & (days > options.payment_terms_days)
    early = dated & (days < 0)
    section: dict[str, Any] = {
        "code": "AGING",
        "lines_aged": n,
        "lines_without_dates": int((~dated).sum()),
        "payment_terms_days": options.payment_terms_days,
        "median_days": float(np.median(days[dated])) if n else None,
        "bands": [
            {
                "band": label,
                "lines": int(band_lines[i]),
                "total": money(band_total[i]),
                "share_of_lines": ratio(band_lines[i], n),
                "share_of_total": ratio(band_total[i], total),
            }
            for i, label in enumerate(labels)
        ],
        "late_payments": {
            "code": "LATE_PAYMENT",
            "severity": "medium" if late.sum() and ratio(late.sum(), n) >= 0.1 else "low" if late.any() else None,
            "reason": f"{int(late.sum()):,} of {n:,} lines posted more than {options.payment_terms_days} days after "
            f"their document date, {money(volume[late].sum()):,.2f} in all",
            "lines": int(late.sum()),
            "total": money(volume[late].sum()),
            "share_of_lines": ratio(late.sum(), n),
            "largest": _listed(frame, late, days, volume, options.aging_top_n),
        },
        "before_document_date": {
            "code": "PAID_BEFORE_INVOICE",
            "severity": "high" if early.any() else None,
            "reason": f"{int(early.sum()):,} of {n:,} lines posted before their document date, "
            f"{money(volume[early].sum()):,.2f} in all",
            "lines": int(early.sum()),
            "total": money(volume[early].sum()),
            "largest": _listed(frame, early, days, volume, options.aging_top_n),
        },
        "by_vendor": None,
    }
    if "vendor" in frame.columns and n:
        keys = key_column(frame, "vendor")[dated]
        table = pd.DataFrame({"vendor": keys, "days": days[dated], "late": late[dated], "volume": volume[dated]})
        grouped = table.groupby("vendor", observed=True).agg(
            lines=("days", "size"), average_days=("days", "mean"), late_lines=("late", "sum"), total=("volume", "sum")
        )
        grouped = grouped.sort_values(["late_lines", "average_days"], ascending=False, kind="stable")
        section["by_vendor"] = [
            {
                "vendor": str(vendor),
                "lines": int(row.lines),
                "average_days": round(float(row.average_days), 1),
                "late_lines": int(row.late_lines),
                "total": money(row.total),
            }
            for vendor, row in grouped.head(options.aging_top_n).iterrows()
        ]
    return section
