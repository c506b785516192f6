"""Amount rules: round amounts, amounts just below an approval limit, per-user/per-account outliers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.flags import build_flags, graded_severity
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.rules import RULES

# 0.6745 is the 0.75 quantile of the standard normal: it makes MAD-based z comparable to a z-score.
MAD_SCALE = 0.6745
# When MAD is 0 (over half the lines share one value), the mean absolute deviation stands in;
# 1.253314 = sqrt(pi/2) makes it consistent with a standard deviation under normality.
MEAN_AD_SCALE = 1.253314


COMMON_APPROVAL_LIMITS = (2_500.0, 5_000.0, 10_000.0, 25_000.0, 50_000.0, 100_000.0)
LIMIT_SOURCES = {"company": "this company", "file": "this file"}
PILE_UP_Z = 3.09  # one-sided 0.1 %: more amounts just below a common limit than chance predicts


@dataclass(frozen=True)
class AmountRuleOptions(Options):
    round_floor: float = 1_000.0
    round_base: float = 1_000.0
    round_high_base: float = 10_000.0
    # Limits below 2,500 catch too many ordinary small payments to be worth a reviewer's time.
    approval_limits: tuple[float, ...] = COMMON_APPROVAL_LIMITS
    # Who set the limits: "common" (the defaults above, a guess), "company" (configured) or "file".
    approval_limits_source: str = "common"
    below_limit_band: float = 0.02
    # Below this many amounts around a common limit, chance cannot be told from a pile-up.
    below_limit_min_amounts: int = 30
    outlier_min_lines: int = 20
    outlier_medium_z: float = 3.5
    # The group's spread is never taken below this share of its median (0.1 on the log scale), so a
    # group of near-constant amounts does not turn a small difference into a huge z.
    outlier_min_spread: float = 0.1
    # Severity follows the size of the deviation: flagged from this ratio to the median on ...
    outlier_min_ratio: float = 2.0
    outlier_high_ratio: float = 10.0  # ... and high from this one
    outlier_log_scale: bool = True
    outlier_two_sided: bool = False
    # An outlier stands apart from its group: at most this share of the group's other lines lie within
    # ``outlier_peer_factor`` of it. A group with a second mode (a user's accruals beside their small
    # invoices on one liability account) has many lines that size, and none of them is an outlier.
    outlier_peer_share: float = 0.005
    outlier_peer_factor: float = 2.0
    # Lines of the same few days are one event (a card's fraudulent run, a week of inflated invoices),
    # not a habit: only lines posted further apart count against standing apart, and a handful of
    # them (a few outliers of one group) always leave it standing.
    outlier_peer_days: int = 14
    outlier_peer_lines: int = 3


def check_amount_rules(run: RuleRun, options: AmountRuleOptions) -> None:
    tx = run.transactions
    run.run_rule("ROUND_AMOUNT", lambda: run.add(round_amount_flags(tx, options)))
    run.run_rule("JUST_BELOW_LIMIT", lambda: run.record("JUST_BELOW_LIMIT", *just_below_limit_flags(tx, options)))
    for column, code in (("user", "USER_AMOUNT_OUTLIER"), ("account", "ACCOUNT_AMOUNT_OUTLIER")):

        def outliers(column: str = column, code: str = code) -> None:
            frame = tx.assign(user=user_baseline(tx, options.outlier_min_lines)) if column == "user" else tx
            run.record(code, *group_outlier_flags(frame, column, code, options))

        run.run_rule(code, outliers)


def user_baseline(tx: pd.DataFrame, min_lines: int) -> pd.Series:
    """The group a user's line is compared with: the user's own lines on that account when there are
    enough of them (a user's amounts differ widely between accounts), else all the user's lines."""
    if "account" not in tx.columns:
        return tx["user"]
    on_account = tx["user"] + " on account " + tx["account"]
    enough = on_account.map(on_account.value_counts()) >= min_lines
    return on_account.where(enough.fillna(False).astype(bool), tx["user"])


def _cents(values: np.ndarray) -> np.ndarray:
    return np.rint(np.nan_to_num(values) * 100).astype("int64")


def round_amount_flags(transactions: pd.DataFrame, options: AmountRuleOptions) -> pd.DataFrame:
    """|amount| ≥ ``round_floor`` and an exact multiple of ``round_base``; one level more severe for a
    multiple of ``round_high_base``."""
    floor, base, high_base = options.round_floor, options.round_base, options.round_high_base
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
        RULES["ROUND_AMOUNT"].reasons(len(amounts), amount=amounts, multiple=multiples),
        [{"amount": a, "multiple_of": m} for a, m in zip(amounts, multiples, strict=True)],
        severity=graded_severity("ROUND_AMOUNT", very_round),
    )


def limit_pile_ups(magnitude: np.ndarray, limits: np.ndarray, band: float, min_amounts: int) -> list[dict[str, Any]]:
    """Per limit, whether more of the file's amounts fall just below it than chance predicts.

    Chance is the average of the equally wide bands on either side, [limit·(1 − 2·band), limit·(1 − band))
    and [limit, limit·(1 + band)), which a smooth distribution of amounts fills about alike; with fewer
    than ``min_amounts`` amounts in the three bands chance cannot be told (``beats_chance`` is None).
    """
    out = []
    for limit in limits.tolist():
        below = int(((magnitude >= limit * (1 - band)) & (magnitude < limit)).sum())
        lower = int(((magnitude >= limit * (1 - 2 * band)) & (magnitude < limit * (1 - band))).sum())
        upper = int(((magnitude >= limit) & (magnitude < limit * (1 + band))).sum())
        expected = (lower + upper) / 2
        z = (below - expected) / np.sqrt(max(expected + (lower + upper) / 4, 1.0))
        judged = below + lower + upper >= min_amounts
        out.append(
            {
                "limit": limit,
                "just_below": below,
                "expected": expected,
                "z": round(float(z), 2),
                "beats_chance": bool(z >= PILE_UP_Z) if judged else None,
            }
        )
    return out


def just_below_limit_flags(
    transactions: pd.DataFrame, options: AmountRuleOptions
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """|amount| in [limit·(1 − band), limit) for the nearest approval limit above it.

    A configured limit is the company's: staying just below it is medium. A common limit is a guess:
    its findings are medium only where the file's amounts pile up just below it, else low."""
    limits, band = options.approval_limits, options.below_limit_band
    stats: dict[str, Any] = {"limits": list(limits), "source": options.approval_limits_source}
    if not limits:
        return build_flags([], "JUST_BELOW_LIMIT", [], []), stats
    ordered = np.array(sorted(limits), dtype="float64")
    magnitude = np.abs(transactions["amount"].to_numpy(dtype="float64"))
    position = np.searchsorted(ordered, magnitude, side="right")
    has_limit = position < len(ordered)
    limit = np.where(has_limit, ordered[np.minimum(position, len(ordered) - 1)], np.inf)
    mask = has_limit & (magnitude >= limit * (1 - band)) & (magnitude < limit)
    source = options.approval_limits_source
    configured = source in LIMIT_SOURCES
    pile_ups = limit_pile_ups(magnitude, ordered, band, options.below_limit_min_amounts)
    stats["pile_ups"] = pile_ups
    at_chance = {p["limit"]: p for p in pile_ups if p["beats_chance"] is False}
    amounts, hit_limits = magnitude[mask].tolist(), limit[mask].tolist()
    gaps = [(lim - a) / lim * 100 for a, lim in zip(amounts, hit_limits, strict=True)]
    chance = [not configured and lim in at_chance for lim in hit_limits]
    rule = RULES["JUST_BELOW_LIMIT"]
    which = rule.fill_phrases(
        ["configured" if configured else "common"] * len(gaps), limit=hit_limits, set_for=LIMIT_SOURCES.get(source, "")
    )
    notes = rule.fill_phrases(
        ["at_chance" if c else "none" for c in chance],
        below=[at_chance[lim]["just_below"] if c else 0 for lim, c in zip(hit_limits, chance, strict=True)],
        expected=[at_chance[lim]["expected"] if c else 0.0 for lim, c in zip(hit_limits, chance, strict=True)],
    )
    reasons = rule.reasons(len(gaps), amount=amounts, below_pct=gaps, which=which, chance=notes)
    details = [
        {"amount": a, "limit": lim, "limit_source": source, "below_limit_pct": round(gap, 2), "band_pct": band * 100}
        for a, lim, gap in zip(amounts, hit_limits, gaps, strict=True)
    ]
    severity = np.where(chance, RULES["JUST_BELOW_LIMIT"].severity_step(-1), RULES["JUST_BELOW_LIMIT"].severity)
    flags = build_flags(transactions["row_number"].to_numpy()[mask], "JUST_BELOW_LIMIT", reasons, details, severity)
    return flags, stats


def robust_z_by_group(
    values: np.ndarray, group_codes: np.ndarray, group_count: int, min_spread: np.ndarray | float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row robust z within its group, with each group's median and the spread used (row-aligned).

    The spread is the MAD (the mean absolute deviation where that is 0), scaled to a standard
    deviation, and never below ``min_spread`` (per row or one for all)."""
    frame = pd.DataFrame({"g": group_codes, "x": values})
    by_group = frame.groupby("g", sort=True)["x"]
    median = by_group.median().reindex(range(group_count)).to_numpy()
    row_median = median[group_codes]
    deviation = np.abs(values - row_median)
    dev_frame = pd.DataFrame({"g": group_codes, "d": deviation}).groupby("g", sort=True)["d"]
    mad = dev_frame.median().reindex(range(group_count)).to_numpy()[group_codes]
    mean_ad = dev_frame.mean().reindex(range(group_count)).to_numpy()[group_codes]
    centred = values - row_median
    spread = np.where(mad > 0, mad / MAD_SCALE, MEAN_AD_SCALE * mean_ad)
    spread = np.maximum(spread, min_spread)
    z = np.zeros(len(values))
    usable = spread > 0
    z[usable] = centred[usable] / spread[usable]
    return z, row_median, spread


def peer_counts(
    amounts: np.ndarray, groups: np.ndarray, days: np.ndarray, at: np.ndarray, factor: float, apart_days: int
) -> np.ndarray:
    """For the lines at positions ``at``: how many other lines of their group lie within ``factor`` of
    their amount (from amount / factor to amount · factor) and were posted more than ``apart_days`` days
    from them. One sort of the (group, log amount) keys; then each line's neighbours in amount."""
    logs = np.log(amounts)
    width = float(logs.max() - logs.min()) + 2 * np.log(factor) + 1.0
    keys = groups.astype(np.float64) * width + (logs - logs.min())
    order = np.argsort(keys, kind="stable")
    ordered, ordered_days = keys[order], days[order]
    low = np.searchsorted(ordered, keys[at] - np.log(factor), side="left")
    high = np.searchsorted(ordered, keys[at] + np.log(factor), side="right")
    counts = np.zeros(len(at), dtype=np.int64)
    for i, (start, end, day) in enumerate(zip(low.tolist(), high.tolist(), days[at].tolist(), strict=True)):
        counts[i] = int((np.abs(ordered_days[start:end] - day) > apart_days).sum())
    return counts


def group_outlier_flags(
    transactions: pd.DataFrame,
    group_column: str,
    rule_code: str,
    options: AmountRuleOptions,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Lines whose |amount| is far from their group's usual size (robust z over the group's own lines).

    Zero amounts and lines without a group are left out; only groups with ``outlier_min_lines`` lines
    are tested. Returns the flags and a small summary of the groups tested.
    """
    min_lines, log_scale = options.outlier_min_lines, options.outlier_log_scale
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
    amount_median = pd.Series(amounts).groupby(dense).median().reindex(range(len(tested_groups))).to_numpy()[dense]
    min_spread = options.outlier_min_spread * (1.0 if log_scale else amount_median)
    z, _, _ = robust_z_by_group(values, dense, len(tested_groups), min_spread)
    score = np.abs(z) if options.outlier_two_sided else z
    with np.errstate(divide="ignore"):
        deviation = np.maximum(amounts / amount_median, amount_median / amounts)  # ≥ 1, either side
    hit = (score >= options.outlier_medium_z) & (deviation >= options.outlier_min_ratio)
    group_lines = np.bincount(dense, minlength=len(tested_groups))[dense]
    peers = np.zeros(len(amounts), dtype=np.int64)
    days = transactions["posting_date"].to_numpy().astype("datetime64[D]").astype(np.int64)[usable][tested]
    at = np.flatnonzero(hit)
    peers[hit] = peer_counts(amounts, dense, days, at, options.outlier_peer_factor, options.outlier_peer_days)
    apart = peers <= np.maximum(options.outlier_peer_share * (group_lines - 1), options.outlier_peer_lines)
    stats["not_apart"] = int((hit & ~apart).sum())
    hit &= apart
    rows = transactions["row_number"].to_numpy()[usable][tested][hit]
    names = uniques.to_numpy()[np.asarray(tested_groups)[dense[hit]]].tolist()
    hit_amounts, hit_medians, hit_z = amounts[hit].tolist(), amount_median[hit].tolist(), z[hit].tolist()
    ratios = [a / med if med else float("inf") for a, med in zip(hit_amounts, hit_medians, strict=True)]
    rule = RULES[rule_code]
    relations = rule.fill_phrases(
        ["times" if r >= 1 else "fraction" for r in ratios], ratio=ratios, inverse=[1 / r for r in ratios]
    )
    hit_peers, hit_others = peers[hit].tolist(), (group_lines[hit] - 1).tolist()
    reasons = rule.reasons(
        len(rows),
        amount=hit_amounts,
        relation=relations,
        group=names,
        median=hit_medians,
        z=hit_z,
        peers=hit_peers,
        others=hit_others,
        factor=options.outlier_peer_factor,
        days=options.outlier_peer_days,
    )
    details = [
        {
            "amount": a,
            group_column: name,
            "group_median": med,
            "ratio_to_median": round(ratio, 3),
            "robust_z": round(zz, 2),
            "scale": "log" if log_scale else "linear",
            "group_lines": others + 1,
            "lines_within_factor": peer,
        }
        for a, med, zz, name, ratio, peer, others in zip(
            hit_amounts, hit_medians, hit_z, names, ratios, hit_peers, hit_others, strict=True
        )
    ]
    stats["flagged"] = int(hit.sum())
    severity = graded_severity(rule_code, deviation[hit] >= options.outlier_high_ratio)
    return build_flags(rows, rule_code, reasons, details, severity=severity), stats
