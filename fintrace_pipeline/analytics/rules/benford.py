"""Benford's law per vendor / per user, and BENFORD_DIGIT flags for groups that do not conform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.benford import (
    CHI_SQUARE_CRITICAL,
    MAD_LIMITS,
    benford_test,
    conformity,
    count_statistics,
    expected_proportions,
    leading_digits,
)
from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.flags import build_flags
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.rules import RULES

TWO_DIGIT_BINS = 90  # first-two digits 10..99
GROUP_COLUMNS = ("vendor", "user")


@dataclass(frozen=True)
class BenfordRuleOptions(Options):
    benford_min_abs_amount: float = 10.0
    benford_min_rows_file: int = 500  # eligible amounts the whole-file test needs
    benford_min_rows_group: int = 300  # eligible amounts a group needs to be tested
    # Benford's law describes amounts spread over orders of magnitude: a group whose middle 90 % of
    # amounts spans less than this many decades (a vendor billing 4,000-6,000) is not tested.
    benford_min_decades: float = 1.0
    benford_top_digits: int = 3  # most over-represented first-two digits flagged per group
    benford_min_digit_z: float = 2.576  # a first digit counts as over-represented from this z (1 %) ...
    # ... and a first-two digit from this one: 1 % across the 90 of them, so chance flags none.
    benford_min_pair_z: float = 3.69
    benford_max_flags_per_group: int = 200


def check_benford_rules(run: RuleRun, options: BenfordRuleOptions, top_n: int) -> None:
    """The whole-file tests for the report, and BENFORD_DIGIT per vendor and per user; ``top_n``
    nonconforming groups are listed."""
    tx = run.transactions
    amounts = tx["amount"].to_numpy(dtype="float64")
    min_abs, min_rows = options.benford_min_abs_amount, options.benford_min_rows_file
    leads = leading_digits(amounts, 2, min_abs)
    eligible = int((leads > 0).sum())
    report: dict[str, Any] = {"eligible_amounts": eligible, "min_abs_amount": min_abs, "min_rows_file": min_rows}
    run.checks["benford"] = report
    if eligible < min_rows:
        run.skip("benford_file", f"only {eligible} amounts ≥ {min_abs:g} (needs {min_rows})")
    else:
        report["first_digit"] = benford_test(amounts, 1, min_abs).to_dict()
        report["first_two_digits"] = benford_test(amounts, 2, min_abs).to_dict()
    for column in GROUP_COLUMNS:

        def by_group(column: str = column) -> None:
            flags, group_report = benford_group_flags(tx, column, leads, options, top_n)
            report[f"by_{column}"] = group_report
            run.add(flags)

        run.run(f"benford_by_{column}", (*RULES["BENFORD_DIGIT"].columns, column), by_group)


def _decades_spanned(amounts: np.ndarray, codes: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per group, the decades between the 5th and 95th percentile of its |amounts| (0 for groups not
    in ``groups``)."""
    spans = np.zeros(len(groups))
    chosen = groups[codes]
    if not chosen.any():
        return spans
    frame = pd.DataFrame({"g": codes[chosen], "x": np.log10(np.abs(amounts[chosen]))})
    quantiles = frame.groupby("g")["x"].quantile([0.05, 0.95]).unstack()
    spans[quantiles.index.to_numpy()] = (quantiles[0.95] - quantiles[0.05]).to_numpy()
    return spans


def benford_group_flags(
    transactions: pd.DataFrame, column: str, leads: np.ndarray, options: BenfordRuleOptions, top_n: int
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
    large = sizes >= options.benford_min_rows_group
    wide = large & (
        _decades_spanned(transactions["amount"].to_numpy(dtype="float64")[usable], codes, large)
        >= options.benford_min_decades
    )
    in_tested = wide[codes]
    report: dict[str, Any] = {
        "groups": int(len(uniques)),
        "groups_tested": int(wide.sum()),
        "min_rows": options.benford_min_rows_group,
        "groups_too_narrow": int((large & ~wide).sum()),
        "min_decades": options.benford_min_decades,
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

    # Per nonconforming group, the first-two digits with the largest significant excess, each under a
    # first digit that is itself over-represented there: the rows that make the group nonconform.
    over = (first_two.z >= options.benford_min_pair_z) & (np.repeat(first.z, 10, axis=1) >= options.benford_min_digit_z)
    ranked = np.where(over, first_two.z, -np.inf)
    order = np.argsort(-ranked, axis=1)[:, : options.benford_top_digits]
    top_over = np.take_along_axis(over, order, axis=1)
    chosen = np.zeros_like(first_two.z, dtype=bool)
    np.put_along_axis(chosen, order, top_over & nonconforming[:, None], axis=1)

    hit = chosen[dense, bins]
    # Keep the first rows of each group so one large nonconforming group cannot flood the findings.
    hit_positions = np.flatnonzero(hit)
    rank_in_group = pd.Series(dense[hit_positions]).groupby(dense[hit_positions]).cumcount().to_numpy()
    hit_positions = hit_positions[rank_in_group < options.benford_max_flags_per_group]
    rows = transactions["row_number"].to_numpy()[usable][in_tested][hit_positions]
    g, b = dense[hit_positions], bins[hit_positions]
    expected_two = expected_proportions(2)
    names, digits = group_names[g].tolist(), (b + 10).tolist()
    observed, expected = first_two.observed[g, b].tolist(), expected_two[b].tolist()
    z, mad, n = first_two.z[g, b].tolist(), first.mad[g].tolist(), first.n[g].tolist()
    reasons = RULES["BENFORD_DIGIT"].reasons(
        len(rows),
        digit=digits,
        observed_pct=[share * 100 for share in observed],
        label=column,
        group=names,
        n=n,
        expected_pct=[share * 100 for share in expected],
        z=z,
        mad=mad,
    )
    details = [
        {
            column: name,
            "first_two_digits": digit,
            "observed_share": round(obs, 5),
            "expected_share": round(exp, 5),
            "z": round(zz, 2),
            "group_rows": count,
            "first_digit_mad": round(m, 5),
        }
        for name, digit, obs, exp, zz, m, count in zip(names, digits, observed, expected, z, mad, n, strict=True)
    ]
    report["flagged_rows"] = len(rows)

    worst = np.flatnonzero(nonconforming)
    worst = worst[np.argsort(-first.mad[worst], kind="stable")][:top_n]
    report["top_nonconforming"] = [
        {
            column: str(group_names[i]),
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
