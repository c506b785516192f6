"""Benford's law per vendor / per user, and BENFORD_DIGIT flags for groups that do not conform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.benford import (
    CHI_SQUARE_CRITICAL,
    MAD_LIMITS,
    conformity,
    count_statistics,
    expected_proportions,
)
from fintrace_pipeline.analytics.rules.common import build_flags, text_values

TWO_DIGIT_BINS = 90  # first-two digits 10..99


@dataclass(frozen=True)
class BenfordGroupSettings:
    min_rows: int  # eligible amounts a group needs to be tested
    top_digits: int  # most over-represented first-two digits flagged per group
    min_digit_z: float  # a digit counts as over-represented only above this z
    max_flags_per_group: int
    top_n: int  # nonconforming groups listed in the report


def benford_group_flags(
    transactions: pd.DataFrame, column: str, label: str, leads: np.ndarray, settings: BenfordGroupSettings
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Test each ``column`` group's first digits; flag rows of nonconforming groups on their top digits.

    ``leads`` are the first-two digits of every row (0 = not eligible). A group is nonconforming when
    its first-digit MAD is past Nigrini's "marginal" bound *and* its chi-square exceeds the 1 %
    critical value: MAD alone ignores sample size and calls small groups nonconforming by chance,
    chi-square alone calls every large group nonconforming.
    """
    keys = text_values(transactions[column])
    usable = keys.notna().to_numpy() & (leads > 0)
    codes, uniques = pd.factorize(keys[usable])
    sizes = np.bincount(codes, minlength=len(uniques))
    in_tested = sizes[codes] >= settings.min_rows
    report: dict[str, Any] = {
        "groups": int(len(uniques)),
        "groups_tested": int((sizes >= settings.min_rows).sum()),
        "min_rows": settings.min_rows,
        "nonconforming_groups": 0,
        "top_nonconforming": [],
    }
    if not in_tested.any():
        return build_flags([], "BENFORD_DIGIT", [], []), report
    dense, tested_groups = pd.factorize(codes[in_tested])
    group_names = uniques.to_numpy()[np.asarray(tested_groups)]
    group_count = len(tested_groups)
    bins = leads[usable][in_tested] - 10
    two = np.bincount(dense * TWO_DIGIT_BINS + bins, minlength=group_count * TWO_DIGIT_BINS)
    two = two.reshape(group_count, TWO_DIGIT_BINS)
    one = two.reshape(group_count, 9, 10).sum(axis=2)
    first, first_two = count_statistics(one, 1), count_statistics(two, 2)
    nonconforming = (first.mad > MAD_LIMITS[1][2]) & (first.chi_square > CHI_SQUARE_CRITICAL[1][0.01])
    report["nonconforming_groups"] = int(nonconforming.sum())

    # Per group, the first-two digits with the largest significant excess.
    order = np.argsort(-first_two.z, axis=1)[:, : settings.top_digits]
    top_z = np.take_along_axis(first_two.z, order, axis=1)
    chosen = np.zeros_like(first_two.z, dtype=bool)
    np.put_along_axis(chosen, order, (top_z >= settings.min_digit_z) & nonconforming[:, None], axis=1)

    hit = chosen[dense, bins]
    # Keep the first rows of each group so one large nonconforming group cannot flood the findings.
    hit_positions = np.flatnonzero(hit)
    rank_in_group = pd.Series(dense[hit_positions]).groupby(dense[hit_positions]).cumcount().to_numpy()
    hit_positions = hit_positions[rank_in_group < settings.max_flags_per_group]
    rows = transactions["row_number"].to_numpy()[usable][in_tested][hit_positions]
    g, b = dense[hit_positions], bins[hit_positions]
    expected_two = expected_proportions(2)
    reasons, details = [], []
    for name, digit, obs, exp, z, mad, n in zip(
        group_names[g].tolist(),
        (b + 10).tolist(),
        first_two.observed[g, b].tolist(),
        expected_two[b].tolist(),
        first_two.z[g, b].tolist(),
        first.mad[g].tolist(),
        first.n[g].tolist(),
        strict=True,
    ):
        reasons.append(
            f"Amount starts with {digit}, which makes up {obs * 100:.1f} % of {label} {name}'s {n} amounts "
            f"vs {exp * 100:.1f} % expected by Benford's law (z {z:.1f}; first-digit MAD {mad:.4f}, nonconformity)"
        )
        details.append(
            {
                label: name,
                "first_two_digits": digit,
                "observed_share": round(obs, 5),
                "expected_share": round(exp, 5),
                "z": round(z, 2),
                "group_rows": n,
                "first_digit_mad": round(mad, 5),
            }
        )
    report["flagged_rows"] = len(rows)

    worst = np.flatnonzero(nonconforming)
    worst = worst[np.argsort(-first.mad[worst], kind="stable")][: settings.top_n]
    report["top_nonconforming"] = [
        {
            label: str(group_names[i]),
            "n": int(first.n[i]),
            "first_digit_mad": round(float(first.mad[i]), 5),
            "first_digit_conformity": conformity(float(first.mad[i]), 1),
            "first_digit_chi_square": round(float(first.chi_square[i]), 2),
            "first_two_mad": round(float(first_two.mad[i]), 5),
            "first_two_conformity": conformity(float(first_two.mad[i]), 2),
            "over_represented": [int(d) + 10 for d in np.flatnonzero(chosen[i])],
        }
        for i in worst
    ]
    return build_flags(rows, "BENFORD_DIGIT", reasons, details), report
