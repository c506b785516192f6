"""The feature matrix the ML models read: entity-relative, oriented so that larger means stranger.

Every feature is clipped at 0 from below, so 0 is "ordinary" and only the unusual side remains.

Every feature is computed from canonical columns (and the earlier stages' rule flags) with vectorised
group statistics; nothing is quadratic in the number of rows. A feature whose input column is
missing, or that turns out constant in this file, is left out and reported in ``skipped``.
``context`` keeps the numbers behind each feature (medians, counts, rates) so reasons can be put in
words. The ``label`` column is never read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import poisson

from fintrace_pipeline.findings import SEVERITY_WEIGHT
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline.rules import RULES

DAY_SECONDS = 86_400
# A robust standard deviation from the median absolute deviation of a normal sample.
MAD_TO_SD = 1.4826
BENFORD = np.log10(1.0 + 1.0 / np.arange(1, 10))

# Feature name -> reason code it is reported under when it explains a high score.
REASON_CODES: dict[str, str] = {
    "amount_size": "LARGE_AMOUNT",
    "amount_vs_user": "AMOUNT_VS_USER",
    "amount_vs_vendor": "AMOUNT_VS_VENDOR",
    "amount_vs_account": "AMOUNT_VS_ACCOUNT",
    "amount_vs_user_recent": "AMOUNT_VS_USER_RECENT",
    "amount_vs_account_recent": "AMOUNT_VS_ACCOUNT_RECENT",
    "rare_user_account": "RARE_USER_ACCOUNT",
    "rare_vendor_account": "RARE_VENDOR_ACCOUNT",
    "hour_vs_user": "UNUSUAL_HOUR_FOR_USER",
    "weekday_vs_user": "UNUSUAL_WEEKDAY_FOR_USER",
    "round_number": "ROUND_NUMBER",
    "first_digit_excess": "FIRST_DIGIT_PATTERN",
    "vendor_burst_1d": "VENDOR_BURST",
    "vendor_burst_7d": "VENDOR_BURST",
    "user_burst_1d": "USER_BURST",
    "user_burst_7d": "USER_BURST",
}


# Context features are measured in decades beyond chance for the entity's volume (0 = explained by
# chance). Isolation-style detectors treat every column alike, so sparse noise columns would isolate
# ordinary rows; a context feature therefore joins the detectors only when some row in the file goes
# well beyond chance on it. The leading-digit figure describes the file, not a row, and only explains.
CONTEXT_FEATURES = (
    "hour_vs_user",
    "weekday_vs_user",
    "round_number",
    "vendor_burst_1d",
    "vendor_burst_7d",
    "user_burst_1d",
    "user_burst_7d",
)
# Whether a rule's finding describes a group of lines rather than the line (see ``rule_features``).
GROUP_FINDINGS = {code: rule.describes_group for code, rule in RULES.items()}
EXPLANATION_ONLY = ("first_digit_excess", "group_findings")


@dataclass
class FeatureSet:
    """``matrix``: float32 features, one row per transaction (positional, same order as the input)."""

    matrix: pd.DataFrame
    context: pd.DataFrame
    skipped: list[dict[str, str]] = field(default_factory=list)
    rule_score: np.ndarray | None = None  # severity-weighted flag sum per row; None without flags
    # The columns the unsupervised detectors see (see CONTEXT_FEATURES); the forest sees all.
    detector_names: list[str] = field(default_factory=list)
    # Context features kept out of the detectors in this file, with the reason.
    held_back: list[dict[str, str]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(self.matrix.columns)


def _entity_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer code per row (-1 where missing) and the number of distinct entities."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), len(uniques)


def _group_median(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    valid = codes >= 0
    med = pd.Series(values[valid]).groupby(codes[valid]).median()
    out = np.full(n_groups, np.nan)
    out[med.index.to_numpy()] = med.to_numpy()
    return out


@dataclass
class _RobustStats:
    z: np.ndarray  # clipped robust z-score of each row within its entity
    median: np.ndarray  # the entity median each row was compared with (same scale as the input)
    scale: np.ndarray  # the robust spread used
    count: np.ndarray  # lines of the row's entity


def _robust_entity_stats(x: np.ndarray, codes: np.ndarray, n_groups: int, opts: MLOptions) -> _RobustStats:
    """Median/MAD of ``x`` per entity; small or missing entities fall back to file-wide figures."""
    global_median = float(np.median(x))
    global_scale = max(MAD_TO_SD * float(np.median(np.abs(x - global_median))), opts.mad_floor)
    count_by_group = np.bincount(codes[codes >= 0], minlength=n_groups)
    median_by_group = _group_median(x, codes, n_groups)
    safe_codes = np.where(codes >= 0, codes, 0)
    deviation = np.abs(x - median_by_group[safe_codes])
    mad_by_group = _group_median(deviation, codes, n_groups)
    # An entity's own spread is noisy when it has few lines: shrink it towards the spread typical of
    # entities in this file, weighted by line counts (spread_prior_lines acts as a pseudo-count).
    established = count_by_group >= opts.min_entity_rows
    pooled_mad = float(np.nanmedian(mad_by_group[established])) if established.any() else global_scale
    k = opts.spread_prior_lines
    shrunk_mad = np.sqrt((count_by_group * np.nan_to_num(mad_by_group) ** 2 + k * pooled_mad**2) / (count_by_group + k))
    scale_by_group = np.maximum(MAD_TO_SD * shrunk_mad, opts.mad_floor)

    count = np.where(codes >= 0, count_by_group[safe_codes], 0)
    own = count >= opts.min_entity_rows
    median = np.where(own, median_by_group[safe_codes], global_median)
    scale = np.where(own, scale_by_group[safe_codes], global_scale)
    z = np.clip((x - median) / scale, -opts.z_clip, opts.z_clip)
    return _RobustStats(z=z, median=median, scale=scale, count=count)


def _trailing_counts(codes: np.ndarray, seconds: np.ndarray, windows: tuple[int, ...]) -> list[np.ndarray]:
    """Lines of the same entity in each trailing window (t - window, t], the row itself included.

    One sort by (entity, time) serves every window; searching the sorted keys for sorted queries
    keeps memory access sequential.
    """
    span = int(seconds.max()) + max(windows) + 2
    keys = np.where(codes >= 0, codes, 0) * span + seconds
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    upper = np.searchsorted(sorted_keys, sorted_keys, side="right")
    counts = []
    for window in windows:
        in_window = np.empty(len(keys), dtype=np.int64)
        in_window[order] = upper - np.searchsorted(sorted_keys, sorted_keys - window, side="right")
        counts.append(np.where(codes >= 0, in_window, 0))
    return counts


def _trailing_median(x: np.ndarray, codes: np.ndarray, seconds: np.ndarray, opts: MLOptions) -> np.ndarray:
    """Median of the entity's previous ``recent_window`` values (NaN until ``recent_min_periods``).

    The rows are sorted by (entity, time) once; one rolling median over the whole sorted array is
    exact wherever the window stays inside the row's entity, and the few rows near the start of
    each entity's history (where it would not) get an expanding median of their own entity.
    """
    k = opts.recent_window
    order = np.lexsort((seconds, codes))
    sorted_codes = codes[order]
    sorted_x = pd.Series(x[order])
    starts = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    position = np.arange(len(order)) - group_start  # 0-based index within the entity

    previous = sorted_x.shift(1).to_numpy().copy()
    previous[starts] = np.nan  # never look back into the previous entity
    result = pd.Series(previous).rolling(k, min_periods=k).median().to_numpy().copy()
    early = position < k
    if early.any():
        # Codes are sorted, so the grouped expanding result comes back in the same row order.
        early_frame = pd.DataFrame({"g": sorted_codes[early], "x": previous[early]})
        result[early] = early_frame.groupby("g")["x"].expanding(min_periods=1).median().to_numpy()
    result[(position < opts.recent_min_periods) | (sorted_codes < 0)] = np.nan
    out = np.empty_like(result)
    out[order] = result
    return out


def _habit_rarity(bucket: np.ndarray, n_buckets: int, codes: np.ndarray, n_groups: int, opts: MLOptions) -> np.ndarray:
    """How much rarer than once in the user's history a row's bucket (hour, weekday) is, in decades.

    The user's share of lines in the bucket is smoothed towards the file-wide share (a user with few
    lines is judged mostly by everybody's habits); share x lines below 1 means the user would not be
    expected to post there even once, and -log10 of it is the feature (0 otherwise).
    """
    global_share = np.bincount(bucket, minlength=n_buckets) / len(bucket)
    valid = codes >= 0
    safe = np.where(valid, codes, 0)
    pair_counts = np.bincount(safe * n_buckets + bucket, minlength=n_groups * n_buckets)
    user_counts = np.bincount(safe, minlength=n_groups)[safe]
    a = opts.habit_prior_weight
    share = (pair_counts[safe * n_buckets + bucket] - 1 + a * global_share[bucket]) / (user_counts - 1 + a)
    expected_lines = share * user_counts
    return np.where(valid, np.maximum(-np.log10(np.maximum(expected_lines, 1e-12)), 0.0), 0.0)


MAX_DECADES = 300.0


def _burst_significance(count: np.ndarray, expected: np.ndarray, windows_in_file: float) -> np.ndarray:
    """Decades by which a window's count is less likely than once per file, under a Poisson rate.

    ``count`` includes the row itself, so the other lines in the window are compared with the
    entity's expected count; dividing by the number of windows in the file keeps ordinary
    fluctuations of busy entities at 0 (every entity sees a somewhat busy day now and then).
    """
    log10_tail = poisson.logsf(count - 2, expected) / np.log(10.0)  # log10 P(X >= count - 1)
    # A tail too small for a float (-inf) is capped: beyond this many decades the rank is all that matters.
    log10_tail = np.maximum(log10_tail, -MAX_DECADES)
    return np.maximum(-log10_tail - np.log10(max(windows_in_file, 1.0)), 0.0)


def _pair_rarity(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """-log(share of the left entity's lines that go with this right entity); 0 where either is missing."""
    valid = (left >= 0) & (right >= 0)
    pair_key = left.astype(np.int64) * (int(right.max()) + 2) + right
    _, pair_inverse, pair_counts = np.unique(pair_key, return_inverse=True, return_counts=True)
    _, left_inverse, left_counts = np.unique(left, return_inverse=True, return_counts=True)
    pair_count = pair_counts[pair_inverse]
    left_count = left_counts[left_inverse]
    rarity = np.where(valid, -np.log(pair_count / left_count), 0.0)
    return rarity, pair_count, left_count


def _round_level(abs_amount: np.ndarray) -> np.ndarray:
    """0 for amounts with cents, 1 for whole units, 2 for tens, 3 for hundreds, ..."""
    cents = np.round(abs_amount * 100).astype(np.int64)
    level = np.zeros(len(cents), dtype=np.float64)
    for power in range(2, 12):
        level += (cents > 0) & (cents % (10**power) == 0)
    return level


def _first_digit(abs_amount: np.ndarray) -> np.ndarray:
    """Leading significant digit 1..9 (0 for a zero amount)."""
    positive = abs_amount > 0
    safe = np.where(positive, abs_amount, 1.0)
    digit = np.floor(safe / 10.0 ** np.floor(np.log10(safe))).astype(np.int64)
    return np.where(positive, np.clip(digit, 1, 9), 0)


def _seconds(dates: pd.Series) -> np.ndarray:
    as_seconds = dates.to_numpy(dtype="datetime64[s]").astype(np.int64)
    return as_seconds - as_seconds.min()


def _time_of_day_source(frame: pd.DataFrame) -> pd.Series | None:
    """The column whose time of day reflects when the line was keyed in, if any carries one."""
    for column in ("entry_date", "posting_date"):
        if column not in frame.columns:
            continue
        dates = frame[column]
        if dates.notna().all() and (dates.dt.normalize() != dates).mean() > 0.01:
            return dates
    return None


def rule_features(flags: pd.DataFrame, row_numbers: pd.Series) -> dict[str, np.ndarray]:
    """Per row (aligned with ``row_numbers``): how many rule findings about the row itself, their
    severity sum and maximum, how many came from each rule stage, and how many findings about a group
    the row belongs to (``group_findings``). A group finding marks every line of its group alike, so
    it is left out of the row's evidence: a vendor's busy week is no reason to rank each of its lines
    beside a line that is itself out of range."""
    weights = flags["severity"].map(SEVERITY_WEIGHT).astype("float64").fillna(1.0)
    stage = flags["analytics_type"] if "analytics_type" in flags.columns else pd.Series("", index=flags.index)
    group = flags["rule_code"].map(GROUP_FINDINGS).fillna(False).to_numpy(dtype=bool)
    row_weight = np.where(group, np.nan, weights.to_numpy())
    per_row = (
        pd.DataFrame(
            {
                "row_number": flags["row_number"].to_numpy(),
                "weight": row_weight,
                "dup": ((stage == "duplicate_analysis").to_numpy() & ~group).astype(float),
                "anomaly": ((stage == "anomaly_detection").to_numpy() & ~group).astype(float),
                "group": group.astype(float),
            }
        )
        .groupby("row_number")
        .agg(
            rule_count=("weight", "count"),
            rule_severity_sum=("weight", "sum"),
            rule_max_severity=("weight", "max"),
            duplicate_flags=("dup", "sum"),
            anomaly_flags=("anomaly", "sum"),
            group_findings=("group", "sum"),
        )
    )
    aligned = per_row.reindex(row_numbers.to_numpy()).fillna(0.0)
    return {name: aligned[name].to_numpy(dtype=np.float64) for name in aligned.columns}


def _is_constant(values: np.ndarray) -> bool:
    """One value throughout (missing counting as a value), as ``nunique(dropna=False) <= 1``."""
    missing = np.isnan(values)
    if missing.any():
        return bool(missing.all())
    return len(values) == 0 or values.min() == values.max()


def _feature_matrix(features: dict[str, np.ndarray], skipped: list[dict[str, str]]) -> pd.DataFrame:
    """The features that vary, each clipped at 0 (only the unusual side matters: an amount below the
    user's usual, a quiet week), as one float32 array seen as a frame. The tree models work in float32
    anyway, so the models read this array as it is: a file of ten million rows holds it once."""
    varying = []
    for name, values in features.items():
        if _is_constant(np.maximum(values, 0.0)):
            skipped.append({"feature": name, "reason": "constant in this file"})
        else:
            varying.append(name)
    n = len(next(iter(features.values()))) if features else 0
    # Column-major, so each feature is one contiguous run (as a frame's own block is).
    array = np.empty((n, len(varying)), dtype=np.float32, order="F")
    for position, name in enumerate(varying):
        np.maximum(features[name], 0.0, out=array[:, position], casting="same_kind")
    return pd.DataFrame(array, columns=varying, copy=False)


def build_features(
    transactions: pd.DataFrame, flags: pd.DataFrame | None = None, options: MLOptions | None = None
) -> FeatureSet:
    opts = options or MLOptions()
    frame = transactions.reset_index(drop=True)
    n = len(frame)
    features: dict[str, np.ndarray] = {}
    context: dict[str, np.ndarray] = {}
    skipped: list[dict[str, str]] = []

    amount = frame["amount"].to_numpy(dtype=np.float64)
    abs_amount = np.abs(amount)
    log_amount = np.log1p(abs_amount)
    seconds = _seconds(frame["posting_date"])
    file_days = max(seconds.max() / DAY_SECONDS, 1.0)
    context["amount"] = amount

    overall = _robust_entity_stats(log_amount, np.zeros(n, dtype=np.int64), 1, opts)
    features["amount_size"] = overall.z
    context["file_median_amount"] = np.expm1(overall.median)

    codes: dict[str, tuple[np.ndarray, int]] = {}
    for entity in ("user", "vendor", "account"):
        if entity not in frame.columns or frame[entity].isna().all():
            skipped.append({"feature": f"amount_vs_{entity}", "reason": f"column '{entity}' is missing or blank"})
            continue
        codes[entity] = _entity_codes(frame[entity])
        stats = _robust_entity_stats(log_amount, *codes[entity], opts)
        features[f"amount_vs_{entity}"] = stats.z
        context[f"{entity}_median_amount"] = np.expm1(stats.median)
        context[f"{entity}_lines"] = stats.count

    # Recent history is judged for the parties whose own habits drift (who posts, which account);
    # a counterparty's amounts come from many payers, and its trailing median mostly adds noise.
    for entity in ("user", "account"):
        name = f"amount_vs_{entity}_recent"
        if entity not in codes:
            skipped.append({"feature": name, "reason": f"column '{entity}' is missing or blank"})
            continue
        entity_codes, n_groups = codes[entity]
        recent = _trailing_median(log_amount, entity_codes, seconds, opts)
        spread = _robust_entity_stats(log_amount, entity_codes, n_groups, opts).scale
        features[name] = np.nan_to_num(np.clip((log_amount - recent) / spread, -opts.z_clip, opts.z_clip))
        context[f"{entity}_recent_median_amount"] = np.expm1(recent)

    for entity in ("user", "vendor"):
        name = f"rare_{entity}_account"
        if entity not in codes or "account" not in codes:
            missing = entity if entity not in codes else "account"
            skipped.append({"feature": name, "reason": f"column '{missing}' is missing"})
            continue
        rarity, pair_count, entity_count = _pair_rarity(codes[entity][0], codes["account"][0])
        features[name] = rarity
        context[f"{entity}_account_lines"] = pair_count

    time_of_day = _time_of_day_source(frame)
    if "user" not in codes:
        for name in ("hour_vs_user", "weekday_vs_user"):
            skipped.append({"feature": name, "reason": "column 'user' is missing"})
    else:
        if time_of_day is None:
            skipped.append({"feature": "hour_vs_user", "reason": "no date column carries a time of day"})
        else:
            hour = time_of_day.dt.hour.to_numpy(dtype=np.int64)
            features["hour_vs_user"] = _habit_rarity(hour, 24, *codes["user"], opts)
            context["hour"] = hour
        weekday = frame["posting_date"].dt.weekday.to_numpy(dtype=np.int64)
        features["weekday_vs_user"] = _habit_rarity(weekday, 7, *codes["user"], opts)
        context["weekday"] = weekday

    # A cent-level amount is whole by chance 1 time in 100, a multiple of 10 units 1 in 1,000, ...; an
    # entity with few lines posting such amounts is beyond chance, a busy one much less so.
    round_level = _round_level(abs_amount)
    # A line that names no user is judged against the whole file's lines.
    lines = np.where(context["user_lines"] > 0, context["user_lines"], n) if "user" in codes else np.full(n, float(n))
    features["round_number"] = np.where(round_level > 0, round_level + 1 - np.log10(np.maximum(lines, 1)), 0.0)
    context["round_level"] = round_level
    # Leading digits over-represented in the file against Benford's law (fabricated or split amounts
    # pile up on a few digits); a file-wide figure, so one user's unimodal habits do not trigger it.
    digit = _first_digit(abs_amount)
    digit_share = np.bincount(digit, minlength=10)[1:] / max(int((digit > 0).sum()), 1)
    excess = np.log(np.maximum(digit_share, 1e-12) / BENFORD)
    features["first_digit_excess"] = np.where(digit > 0, excess[np.maximum(digit, 1) - 1], 0.0)
    context["first_digit"] = digit
    context["first_digit_share"] = np.where(digit > 0, digit_share[np.maximum(digit, 1) - 1], 0.0)
    context["first_digit_benford"] = np.where(digit > 0, BENFORD[np.maximum(digit, 1) - 1], 0.0)

    for entity in ("vendor", "user"):
        if entity not in codes:
            for days in (1, 7):
                skipped.append(
                    {"feature": f"{entity}_burst_{days}d", "reason": f"column '{entity}' is missing or blank"}
                )
            continue
        entity_codes, n_groups = codes[entity]
        rate_per_day = context[f"{entity}_lines"] / file_days
        context[f"{entity}_daily_rate"] = rate_per_day
        counts = _trailing_counts(entity_codes, seconds, (DAY_SECONDS, 7 * DAY_SECONDS))
        for days, count in zip((1, 7), counts, strict=True):
            features[f"{entity}_burst_{days}d"] = _burst_significance(count, days * rate_per_day, file_days / days)
            context[f"{entity}_lines_{days}d"] = count

    rule_score = None
    if flags is None or len(flags) == 0:
        skipped.append({"feature": "rule_flags", "reason": "no rule findings were supplied"})
    else:
        rule_columns = rule_features(flags, frame["row_number"])
        features.update(rule_columns)
        rule_score = rule_columns["rule_severity_sum"]

    matrix = _feature_matrix(features, skipped)
    # Each entity is its own test, so the file-wide gate allows for how many were tested.
    n_users = codes["user"][1] if "user" in codes else 1
    n_vendors = codes["vendor"][1] if "vendor" in codes else 1
    entity_counts = {
        "hour_vs_user": n_users,
        "weekday_vs_user": n_users,
        "round_number": n_users,
        "vendor_burst_1d": n_vendors,
        "vendor_burst_7d": n_vendors,
        "user_burst_1d": n_users,
        "user_burst_7d": n_users,
    }
    detector_names, held_back = [], []
    for name in matrix.columns:
        peak = float(matrix[name].max())
        if name in EXPLANATION_ONLY:
            held_back.append({"feature": name, "reason": "describes the whole file; used to explain only"})
        elif name in CONTEXT_FEATURES and peak < opts.context_min_decades + np.log10(entity_counts[name]):
            gate = opts.context_min_decades + np.log10(entity_counts[name])
            held_back.append(
                {
                    "feature": name,
                    "reason": f"never beyond chance in this file (peak {peak:.2f} "
                    f"< {gate:.2f} decades, allowing for {entity_counts[name]} entities tested)",
                }
            )
        else:
            detector_names.append(name)
    return FeatureSet(
        matrix=matrix,
        context=pd.DataFrame(context, copy=False),
        skipped=skipped,
        rule_score=rule_score,
        detector_names=detector_names,
        held_back=held_back,
    )
