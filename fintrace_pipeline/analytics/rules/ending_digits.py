"""ENDING_DIGITS_HABIT: a vendor or user whose amounts end in the same two digits far more often than the
rest of the file's amounts do (invented amounts repeat their endings; a real spread of prices does not).

The endings are the cents, or the last two whole units where most of the file's amounts are whole
(as in the last-two digits test). Each group's most frequent ending is weighed against that ending's
share among the other groups' amounts with a binomial test, Bonferroni-corrected over every
(group, ending) pair tested, so chance across thousands of vendors flags none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.digit_tests import LAST_TWO_BASES
from fintrace_pipeline.analytics.flags import build_flags
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.rules import RULES

GROUP_COLUMNS = ("vendor", "user")


@dataclass(frozen=True)
class EndingDigitOptions(Options):
    ending_digits_basis: str = "auto"  # "cents", "units" or "auto" (units when most amounts are whole)
    ending_digits_min_lines: int = 20  # a group's eligible amounts before its endings are judged
    ending_digits_min_share: float = 0.3  # of the group's amounts ending alike
    ending_digits_alpha: float = 0.001  # family-wise: divided by the (group, ending) pairs tested
    ending_digits_max_flags_per_group: int = 200


def check_ending_digit_rules(run: RuleRun, options: EndingDigitOptions) -> None:
    tx = run.transactions
    endings, basis = amount_endings(tx["amount"].to_numpy(dtype="float64"), options.ending_digits_basis)
    for column in GROUP_COLUMNS:

        def by_group(column: str = column) -> None:
            flags, stats = ending_digit_flags(tx, column, endings, basis, options)
            run.record(f"ending_digits_by_{column}", flags, stats)

        run.run(f"ending_digits_by_{column}", (*RULES["ENDING_DIGITS_HABIT"].columns, column), by_group)


def amount_endings(amounts: np.ndarray, basis: str) -> tuple[np.ndarray, str]:
    """Each amount's last two digits (-1 where it has none to judge) and the basis used."""
    if basis not in LAST_TWO_BASES:
        raise ValueError(f"ending_digits_basis must be one of {', '.join(LAST_TWO_BASES)}, got {basis!r}")
    magnitude = np.abs(amounts)
    usable = np.isfinite(magnitude) & (magnitude < 1e15)
    cents = np.rint(np.where(usable, magnitude, 0.0) * 100).astype("int64")
    if basis == "auto":
        basis = "units" if usable.any() and (cents[usable] % 100 == 0).mean() >= 0.5 else "cents"
    if basis == "units":
        return np.where(usable & (cents >= 10_000), (cents // 100) % 100, -1), basis
    return np.where(usable & (cents >= 1_000), cents % 100, -1), basis


def ending_digit_flags(
    transactions: pd.DataFrame, column: str, endings: np.ndarray, basis: str, options: EndingDigitOptions
) -> tuple[pd.DataFrame, dict[str, Any]]:
    keys = text_values(transactions[column])
    usable = keys.notna().to_numpy() & (endings >= 0)
    codes, names = pd.factorize(keys[usable])
    ends = endings[usable]
    sizes = np.bincount(codes, minlength=len(names))
    pair = np.bincount(codes * 100 + ends, minlength=len(names) * 100).reshape(len(names), 100)
    file_counts = pair.sum(axis=0)
    total = int(sizes.sum())
    tested = sizes >= options.ending_digits_min_lines
    stats: dict[str, Any] = {
        "basis": basis,
        "groups": int(len(names)),
        "groups_tested": int(tested.sum()),
        "min_lines": options.ending_digits_min_lines,
        "groups_flagged": 0,
    }
    if not tested.any():
        return build_flags([], "ENDING_DIGITS_HABIT", [], []), stats
    top = pair.argmax(axis=1)
    count = pair[np.arange(len(names)), top]
    others = np.maximum(total - sizes, 0)
    # The ending's share among the other groups' amounts; never below an even 1 %'s tenth, so an
    # ending no other group uses does not make any repeat look impossible.
    expected = np.maximum((file_counts[top] - count) / np.maximum(others, 1), 0.001)
    expected = np.where(others > 0, expected, 0.01)
    p = binom.sf(count - 1, sizes, expected)
    tests = int(tested.sum()) * 100
    share = count / np.maximum(sizes, 1)
    habit = tested & (share >= options.ending_digits_min_share) & (p < options.ending_digits_alpha / tests)
    stats["groups_flagged"] = int(habit.sum())
    hit = habit[codes] & (ends == top[codes])
    positions = np.flatnonzero(hit)
    rank = pd.Series(codes[positions]).groupby(codes[positions]).cumcount().to_numpy()
    positions = positions[rank < options.ending_digits_max_flags_per_group]
    g = codes[positions]
    amounts = transactions["amount"].to_numpy(dtype="float64")[usable][positions].tolist()
    rule = RULES["ENDING_DIGITS_HABIT"]
    labels = [f"{e:02d}" for e in ends[positions].tolist()]
    ending = rule.fill_phrases([basis] * len(labels), ending=labels)
    group_names = [str(n) for n in np.asarray(names, dtype=object)[g]]
    counts, n = count[g].tolist(), sizes[g].tolist()
    share_pct, expected_pct, p_values = (share[g] * 100).tolist(), (expected[g] * 100).tolist(), p[g].tolist()
    reasons = rule.reasons(
        len(positions),
        amount=amounts,
        ending=ending,
        lines=counts,
        label=column,
        group=group_names,
        n=n,
        share_pct=share_pct,
        expected_pct=expected_pct,
        p=p_values,
    )
    details = [
        {
            column: name,
            "ending": label,
            "basis": basis,
            "group_lines": k,
            "ending_lines": c,
            "expected_share": round(e / 100, 5),
            "p_value": float(f"{pv:.3g}"),
        }
        for name, label, k, c, e, pv in zip(group_names, labels, n, counts, expected_pct, p_values, strict=True)
    ]
    stats["top_groups"] = [
        {column: str(names[i]), "ending": f"{top[i]:02d}", "lines": int(count[i]), "of": int(sizes[i])}
        for i in np.flatnonzero(habit)[np.argsort(p[habit], kind="stable")][:25]
    ]
    rows = transactions["row_number"].to_numpy()[usable][positions]
    return build_flags(rows, "ENDING_DIGITS_HABIT", reasons, details), stats
