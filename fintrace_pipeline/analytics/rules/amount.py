"""Amount rules: round amounts, amounts just below an approval limit, per-user/per-account outliers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.rules.common import build_flags, money

# 0.6745 is the 0.75 quantile of the standard normal: it makes MAD-based z comparable to a z-score.
MAD_SCALE = 0.6745
# When MAD is 0 (over half the lines share one value), the mean absolute deviation stands in;
# 1.253314 = sqrt(pi/2) makes it consistent with a standard deviation under normality.
MEAN_AD_SCALE = 1.253314


def _cents(values: np.ndarray) -> np.ndarray:
    return np.rint(np.nan_to_num(values) * 100).astype("int64")


def round_amount_flags(transactions: pd.DataFrame, floor: float, base: float, high_base: float) -> pd.DataFrame:
    """|amount| ≥ ``floor`` and an exact multiple of ``base``; one step more severe for ``high_base``."""
    magnitude = np.abs(transactions["amount"].to_numpy(dtype="float64"))
    cents = _cents(magnitude)
    base_cents, high_cents = max(round(base * 100), 1), max(round(high_base * 100), 1)
    mask = (magnitude >= floor) & (cents % base_cents == 0)
    very_round = cents[mask] % high_cents == 0
    amounts = magnitude[mask].tolist()
    multiples = np.where(very_round, high_base, base).tolist()
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "ROUND_AMOUNT",
        [f"Amount {money(a)} is an exact multiple of {m:,.0f}" for a, m in zip(amounts, multiples, strict=True)],
        [{"amount": a, "multiple_of": m} for a, m in zip(amounts, multiples, strict=True)],
        severity=np.where(very_round, "medium", "low"),
    )


def just_below_limit_flags(transactions: pd.DataFrame, limits: Sequence[float], band: float) -> pd.DataFrame:
    """|amount| in [limit·(1 − band), limit) for the nearest approval limit above it."""
    if not limits:
        return build_flags([], "JUST_BELOW_LIMIT", [], [])
    ordered = np.array(sorted(limits), dtype="float64")
    magnitude = np.abs(transactions["amount"].to_numpy(dtype="float64"))
    position = np.searchsorted(ordered, magnitude, side="right")
    has_limit = position < len(ordered)
    limit = np.where(has_limit, ordered[np.minimum(position, len(ordered) - 1)], np.inf)
    mask = has_limit & (magnitude >= limit * (1 - band)) & (magnitude < limit)
    amounts, hit_limits = magnitude[mask].tolist(), limit[mask].tolist()
    reasons, details = [], []
    for a, lim in zip(amounts, hit_limits, strict=True):
        gap = (lim - a) / lim * 100
        reasons.append(f"Amount {money(a)} is {gap:.1f} % below the approval limit of {money(lim)}")
        details.append({"amount": a, "limit": lim, "below_limit_pct": round(gap, 2), "band_pct": band * 100})
    return build_flags(transactions["row_number"].to_numpy()[mask], "JUST_BELOW_LIMIT", reasons, details)


def robust_z_by_group(
    values: np.ndarray, group_codes: np.ndarray, group_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row robust z within its group, with each group's median and MAD (row-aligned arrays)."""
    frame = pd.DataFrame({"g": group_codes, "x": values})
    by_group = frame.groupby("g", sort=True)["x"]
    median = by_group.median().reindex(range(group_count)).to_numpy()
    row_median = median[group_codes]
    deviation = np.abs(values - row_median)
    dev_frame = pd.DataFrame({"g": group_codes, "d": deviation}).groupby("g", sort=True)["d"]
    mad = dev_frame.median().reindex(range(group_count)).to_numpy()[group_codes]
    mean_ad = dev_frame.mean().reindex(range(group_count)).to_numpy()[group_codes]
    centred = values - row_median
    z = np.zeros(len(values))
    use_mad = mad > 0
    use_mean = ~use_mad & (mean_ad > 0)
    z[use_mad] = MAD_SCALE * centred[use_mad] / mad[use_mad]
    z[use_mean] = centred[use_mean] / (MEAN_AD_SCALE * mean_ad[use_mean])
    return z, row_median, np.where(use_mad, mad, np.where(use_mean, mean_ad, 0.0))


def group_outlier_flags(
    transactions: pd.DataFrame,
    group_column: str,
    rule_code: str,
    label: str,
    min_lines: int,
    medium_z: float,
    high_z: float,
    log_scale: bool,
    two_sided: bool,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Lines whose |amount| is far from their group's usual size (robust z over the group's own lines).

    Zero amounts and lines without a group are left out; only groups with ``min_lines`` lines are
    tested. Returns the flags and a small summary of the groups tested.
    """
    magnitude = np.abs(transactions["amount"].to_numpy(dtype="float64"))
    keys = transactions[group_column]
    usable = (keys.notna().to_numpy()) & (magnitude > 0) & np.isfinite(magnitude)
    codes, uniques = pd.factorize(keys[usable])
    sizes = np.bincount(codes, minlength=len(uniques))
    tested = sizes[codes] >= min_lines
    codes_t = codes[tested]
    stats = {
        "groups": int(len(uniques)),
        "groups_tested": int((sizes >= min_lines).sum()),
        "lines_tested": int(tested.sum()),
    }
    if not tested.any():
        return build_flags([], rule_code, [], []), stats
    # Re-number the tested groups densely so the per-group arrays stay small.
    dense, tested_groups = pd.factorize(codes_t)
    amounts = magnitude[usable][tested]
    values = np.log(amounts) if log_scale else amounts
    z, _, _ = robust_z_by_group(values, dense, len(tested_groups))
    amount_median = pd.Series(amounts).groupby(dense).median().reindex(range(len(tested_groups))).to_numpy()[dense]
    score = np.abs(z) if two_sided else z
    hit = score >= medium_z
    rows = transactions["row_number"].to_numpy()[usable][tested][hit]
    names = uniques.to_numpy()[np.asarray(tested_groups)[dense[hit]]].tolist()
    hit_amounts, hit_medians, hit_z = amounts[hit].tolist(), amount_median[hit].tolist(), z[hit].tolist()
    reasons, details = [], []
    for a, med, zz, name in zip(hit_amounts, hit_medians, hit_z, names, strict=True):
        ratio = a / med if med else float("inf")
        relation = f"{ratio:,.1f}× " if ratio >= 1 else f"1/{1 / ratio:,.1f} of "
        reasons.append(f"Amount {money(a)} is {relation}{label} {name}'s median of {money(med)} (robust z {zz:.1f})")
        details.append(
            {
                "amount": a,
                label: name,
                "group_median": med,
                "ratio_to_median": round(ratio, 3),
                "robust_z": round(zz, 2),
                "scale": "log" if log_scale else "linear",
            }
        )
    severity = np.where(score[hit] >= high_z, "high", "medium")
    stats["flagged"] = int(hit.sum())
    return build_flags(rows, rule_code, reasons, details, severity=severity), stats
