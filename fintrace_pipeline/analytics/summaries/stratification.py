"""Stratification of amounts: how many lines and how much money fall in each size band, for the whole
file and per account and per vendor.

Bands are on the absolute amount. Their edges are configured, or taken from the data: the 50th, 80th,
95th and 99th percentiles of the non-zero amounts, each rounded to one significant digit (1,234.56 ->
1,000), and the materiality where one is set, so the bands read as round numbers an auditor can
quote and the last bands hold the few large lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.summaries.common import key_column, money, ratio

DATA_QUANTILES = (0.5, 0.8, 0.95, 0.99)


@dataclass(frozen=True)
class StratificationOptions(Options):
    strata_edges: tuple[float, ...] | None = None  # band edges on |amount|; None: from the data
    materiality: float = 0.0  # also a band edge where set (edges from the data only)
    strata_top_n: int = 10  # accounts and vendors stratified (the largest by volume)


def round_to_one_digit(value: float) -> float:
    """``value`` rounded to one significant digit (1,234.56 -> 1,000; 0.0372 -> 0.04)."""
    if value <= 0 or not math.isfinite(value):
        return 0.0
    exponent = math.floor(math.log10(value))
    return round(round(value / 10**exponent) * 10**exponent, max(-exponent, 0))


def data_edges(volume: np.ndarray, materiality: float) -> tuple[float, ...]:
    """Rounded percentile edges of the non-zero |amounts|, with the materiality where set."""
    positive = volume[volume > 0]
    edges = {round_to_one_digit(float(q)) for q in np.quantile(positive, DATA_QUANTILES)} if len(positive) else set()
    if materiality > 0:
        edges.add(float(materiality))
    return tuple(sorted(e for e in edges if e > 0))


def band_labels(edges: tuple[float, ...]) -> list[str]:
    bounds = [0.0, *edges]
    labels = [f"{low:,.2f} – {high:,.2f}" for low, high in zip(bounds, edges, strict=False)]
    return [*labels, f"≥ {edges[-1]:,.2f}"] if edges else ["all amounts"]


def _band_rows(bands: np.ndarray, volume: np.ndarray, amount: np.ndarray, labels: list[str]) -> list[dict]:
    count = len(labels)
    lines = np.bincount(bands, minlength=count)
    totals = np.bincount(bands, weights=volume, minlength=count)
    net = np.bincount(bands, weights=amount, minlength=count)
    all_lines, all_total = int(lines.sum()), float(totals.sum())
    return [
        {
            "band": labels[i],
            "lines": int(lines[i]),
            "total": money(totals[i]),
            "net": money(net[i]),
            "share_of_lines": ratio(lines[i], all_lines),
            "share_of_total": ratio(totals[i], all_total),
        }
        for i in range(count)
    ]


def _by_group(frame: pd.DataFrame, column: str, bands, volume, amount, labels, top_n: int) -> list[dict]:
    """The largest ``top_n`` groups by volume, each with its lines and total per band (bands it uses)."""
    keys = key_column(frame, column)
    codes = keys.cat.codes.to_numpy()
    names = keys.cat.categories
    group_volume = np.bincount(codes, weights=volume, minlength=len(names))
    top = np.argsort(-group_volume, kind="stable")[:top_n]
    count = len(labels)
    pair = codes.astype("int64") * count + bands
    lines = np.bincount(pair, minlength=len(names) * count).reshape(len(names), count)
    totals = np.bincount(pair, weights=volume, minlength=len(names) * count).reshape(len(names), count)
    rows = []
    for g in top.tolist():
        for b in np.flatnonzero(lines[g]).tolist():
            rows.append(
                {
                    column: str(names[g]),
                    "band": labels[b],
                    "lines": int(lines[g, b]),
                    "total": money(totals[g, b]),
                    f"share_of_{column}_total": ratio(totals[g, b], group_volume[g]),
                }
            )
    return rows


def stratification(
    frame: pd.DataFrame, options: StratificationOptions, skipped: list[dict[str, str]]
) -> dict[str, Any]:
    """The bands with their lines, totals and shares, for the file and per account and vendor."""
    amount = np.nan_to_num(frame["amount"].to_numpy(dtype="float64", na_value=np.nan))
    volume = np.abs(amount)
    if options.strata_edges is not None:
        edges = tuple(sorted({float(e) for e in options.strata_edges if e > 0}))
        source = "configured"
    else:
        edges = data_edges(volume, options.materiality)
        source = "percentiles 50, 80, 95, 99 rounded to one digit" + (" and materiality" if options.materiality else "")
    labels = band_labels(edges)
    bands = np.searchsorted(np.asarray(edges, dtype="float64"), volume, side="right")
    section: dict[str, Any] = {
        "code": "STRATIFICATION",
        "severity": None,  # a description of the population, not a finding
        "edges": list(edges),
        "edges_from": source,
        "bands": _band_rows(bands, volume, amount, labels),
    }
    largest = section["bands"][-1]
    section["reason"] = (
        f"{largest['lines']:,} of {len(frame):,} lines ({(largest['share_of_lines'] or 0) * 100:.1f} %) are in the top "
        f"band {largest['band']} and carry {(largest['share_of_total'] or 0) * 100:.1f} % of the absolute amount"
    )
    for column in ("account", "vendor"):
        key = f"by_{column}"
        if column in frame.columns:
            section[key] = _by_group(frame, column, bands, volume, amount, labels, options.strata_top_n)
        else:
            section[key] = None
            skipped.append({"check": f"stratification_{key}", "reason": f"no {column} column"})
    return section
