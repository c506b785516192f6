"""Reasons for high-risk rows: the rule codes they carry plus the features that stand out most.

A feature's strength is how rare its value is in this file, in decades: 2 means only 1 % of rows
reach it, 3 means 0.1 %. Rule hits are placed on the same scale by severity, so a high-severity rule
ranks like a feature value in the top 0.1 %.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from fintrace_pipeline.ml.detectors import sample_rows
from fintrace_pipeline.ml.features import REASON_CODES, FeatureSet
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline.rules import RULES

RULE_STRENGTH = {"low": 2.0, "medium": 2.5, "high": 3.0}
REFERENCE_ROWS = 100_000
TIE_BREAK = 0.1  # below the rarity step between the top two values of any file
COMBINATION = "UNUSUAL_COMBINATION"
COMBINATION_TEXT = "unusual combination of values, none of them rare on its own"


def _fmt(values: pd.Series, digits: int = 1) -> pd.Series:
    return values.astype("float64").round(digits).astype("string")


def _entity(context: pd.DataFrame, frame: pd.DataFrame, entity: str) -> pd.Series:
    return (
        frame[entity].astype("string").fillna("(blank)")
        if entity in frame.columns
        else pd.Series("(unknown)", index=context.index, dtype="string")
    )


def _ratio_text(kind: str, median_column: str, what: str) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    def text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
        median = ctx[median_column].astype("float64")
        ratio = ctx["amount"].abs() / median.where(median > 0)
        return (
            "Amount "
            + _fmt(ratio).fillna("n/a")
            + "× "
            + kind
            + " "
            + _entity(ctx, frame, kind)
            + "'s "
            + what
            + " ("
            + _fmt(median, 2).fillna("n/a")
            + ")"
        )

    return text


def _burst_text(entity: str, noun: str) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    def text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
        rate = ctx[f"{entity}_daily_rate"]
        return (
            entity.capitalize()
            + " "
            + _entity(ctx, frame, entity)
            + " has "
            + ctx[f"{entity}_lines_1d"].astype("string")
            + " "
            + noun
            + " in 24 h and "
            + ctx[f"{entity}_lines_7d"].astype("string")
            + " in 7 days vs "
            + _fmt(rate)
            + " a day usual"
        )

    return text


def _pair_text(entity: str) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    def text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
        return (
            entity.capitalize()
            + " "
            + _entity(ctx, frame, entity)
            + " used account "
            + _entity(ctx, frame, "account")
            + " in "
            + ctx[f"{entity}_account_lines"].astype("string")
            + " of "
            + ctx[f"{entity}_lines"].astype("string")
            + " lines"
        )

    return text


def _size_text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    ratio = ctx["amount"].abs() / ctx["file_median_amount"].where(ctx["file_median_amount"] > 0)
    return "Amount " + _fmt(ctx["amount"], 2) + " is " + _fmt(ratio).fillna("n/a") + "× the file's median"


def _hour_text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    return "Keyed in at " + ctx["hour"].astype("string") + ":00, unusual for user " + _entity(ctx, frame, "user")


_WEEKDAYS = np.array(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])


def _weekday_text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    day = pd.Series(_WEEKDAYS[ctx["weekday"].to_numpy()], index=ctx.index, dtype="string")
    return "Posted on a " + day + ", unusual for user " + _entity(ctx, frame, "user")


def _round_text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    return (
        (
            "Round amount "
            + _fmt(ctx["amount"], 2)
            + " from user "
            + _entity(ctx, frame, "user")
            + " with "
            + ctx["user_lines"].astype("string")
            + " lines"
        )
        if "user_lines" in ctx.columns
        else ("Round amount " + _fmt(ctx["amount"], 2))
    )


def _digit_text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    return (
        "Leading digit "
        + ctx["first_digit"].astype("string")
        + " makes up "
        + _fmt(100 * ctx["first_digit_share"])
        + " % of the file's amounts vs "
        + _fmt(100 * ctx["first_digit_benford"])
        + " % expected (Benford)"
    )


TEXTS: dict[str, Callable[[pd.DataFrame, pd.DataFrame], pd.Series]] = {
    "LARGE_AMOUNT": _size_text,
    "AMOUNT_VS_USER": _ratio_text("user", "user_median_amount", "median"),
    "AMOUNT_VS_VENDOR": _ratio_text("vendor", "vendor_median_amount", "median"),
    "AMOUNT_VS_ACCOUNT": _ratio_text("account", "account_median_amount", "median"),
    "AMOUNT_VS_USER_RECENT": _ratio_text("user", "user_recent_median_amount", "recent median"),
    "AMOUNT_VS_ACCOUNT_RECENT": _ratio_text("account", "account_recent_median_amount", "recent median"),
    "RARE_USER_ACCOUNT": _pair_text("user"),
    "RARE_VENDOR_ACCOUNT": _pair_text("vendor"),
    "UNUSUAL_HOUR_FOR_USER": _hour_text,
    "UNUSUAL_WEEKDAY_FOR_USER": _weekday_text,
    "ROUND_NUMBER": _round_text,
    "FIRST_DIGIT_PATTERN": _digit_text,
    "VENDOR_BURST": _burst_text("vendor", "payments"),
    "USER_BURST": _burst_text("user", "lines"),
}


def feature_strengths(features: FeatureSet, rows: np.ndarray, seed: int) -> pd.DataFrame:
    """Strength per reason code (columns) for the given row positions, from file-wide rarity."""
    reference = sample_rows(len(features.matrix), REFERENCE_ROWS, seed)
    strengths: dict[str, np.ndarray] = {}
    for name in features.names:
        code = REASON_CODES.get(name)
        if code is None:
            continue
        column = features.matrix[name].to_numpy()
        ordered = np.sort(column[reference])
        values = column[rows]
        # Rows tied with this value (e.g. at the clipping limit) do not make it less rare.
        strictly_above = len(ordered) - np.searchsorted(ordered, values, side="right")
        rarity = -np.log10((strictly_above + 1) / len(ordered))
        # Rarity saturates at the very top (several features of an extreme row are all "the
        # rarest"); break such ties by how far the value exceeds the feature's 99th percentile.
        typical_high = max(float(ordered[int(0.99 * (len(ordered) - 1))]), 1e-9)
        excess = values / (values + typical_high)
        rarity = np.where(values > 0, rarity + TIE_BREAK * excess, 0.0)  # 0 = ordinary, never a reason
        strengths[code] = np.maximum(strengths.get(code, 0.0), rarity)
    return pd.DataFrame(strengths, index=rows)


def finding_strength(severity: pd.Series) -> pd.Series:
    """Each finding's strength in decades of rarity, by its severity (an unknown one counts as low)."""
    return severity.map(RULE_STRENGTH).astype("float64").fillna(RULE_STRENGTH["low"])


def _rule_strengths(
    flags: pd.DataFrame | None, row_numbers: np.ndarray, rows: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Strength and text per rule code for the given rows (positions), from the rule flags."""
    if flags is None or len(flags) == 0:
        empty = pd.DataFrame(index=rows)
        return empty, empty
    position = pd.Series(rows, index=row_numbers[rows])
    hits = flags[flags["row_number"].isin(position.index)]
    if hits.empty:
        empty = pd.DataFrame(index=rows)
        return empty, empty
    hits = pd.DataFrame(
        {
            "position": position.reindex(hits["row_number"].to_numpy()).to_numpy(),
            "rule_code": hits["rule_code"].astype("string").to_numpy(),
            "strength": finding_strength(hits["severity"]).to_numpy(),
            "reason": hits["reason"].astype("string").to_numpy(),
        }
    )
    titles = hits["rule_code"].map(lambda code: RULES[code].title if code in RULES else code)
    hits["reason"] = hits["reason"].fillna(titles.astype("string"))
    strength = hits.pivot_table(index="position", columns="rule_code", values="strength", aggfunc="max")
    text = hits.drop_duplicates(["position", "rule_code"]).pivot(index="position", columns="rule_code", values="reason")
    return strength.reindex(rows), text.reindex(rows)


def _named_features(strength: pd.DataFrame, rule_strength: pd.DataFrame, options: MLOptions) -> pd.DataFrame:
    """Feature strengths worth naming: those at least ``reason_min_strength`` decades rare, and for a
    row with no such feature and no rule hit, its rarest feature all the same, so that every
    high-risk row says what set it apart."""
    named = strength.where(strength >= options.reason_min_strength)
    if strength.empty or strength.shape[1] == 0:
        return named
    unexplained = named.isna().all(axis=1) & rule_strength.reindex(strength.index).isna().all(axis=1)
    values = strength.to_numpy(dtype=np.float64)
    kept = named.to_numpy(dtype=np.float64, copy=True)
    rows = np.flatnonzero(unexplained.to_numpy())
    rarest = values[rows].argmax(axis=1)
    rare_enough = values[rows, rarest] > 0
    kept[rows[rare_enough], rarest[rare_enough]] = values[rows[rare_enough], rarest[rare_enough]]
    return pd.DataFrame(kept, index=strength.index, columns=strength.columns)


def _combination_only(rule_strength: pd.DataFrame, feature_strength: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The reason of last resort: a row the models rank high while none of its values is rare alone."""
    index = feature_strength.index
    unexplained = feature_strength.isna().all(axis=1) & rule_strength.reindex(index).isna().all(axis=1)
    strength = pd.Series(np.where(unexplained, 0.0, np.nan), index=index)
    text = pd.Series(pd.NA, index=index, dtype="string").mask(unexplained, COMBINATION_TEXT)
    return strength, text


def _no_reasons(rows: np.ndarray) -> pd.DataFrame:
    blank = pd.Series("", index=rows, dtype="string")
    return pd.DataFrame({"reasons": blank, "reason_text": blank})


def _strongest_reasons(
    strength: pd.DataFrame, text: pd.DataFrame, rows: np.ndarray, options: MLOptions
) -> pd.DataFrame:
    """The ``max_reasons`` strongest codes of each row (';'-separated) and their texts, strongest first."""
    codes = np.asarray(strength.columns, dtype=object)
    if len(codes) == 0:
        return _no_reasons(rows)
    values = strength.to_numpy(dtype=np.float64, na_value=np.nan)
    order = np.argsort(-np.nan_to_num(values, nan=-1.0), axis=1, kind="stable")[:, : options.max_reasons]
    picked = np.take_along_axis(values, order, axis=1)
    text_values = text.to_numpy(dtype=object, na_value=None)
    reasons = pd.Series("", index=rows, dtype="string")
    words = pd.Series("", index=rows, dtype="string")
    for slot in range(order.shape[1]):
        valid = ~np.isnan(picked[:, slot])
        code = pd.Series(np.where(valid, codes[order[:, slot]], ""), index=rows, dtype="string")
        phrase = pd.Series(
            np.where(valid, text_values[np.arange(len(rows)), order[:, slot]], ""), index=rows, dtype="string"
        ).fillna("")
        separator = pd.Series(np.where(valid & (slot > 0), "; ", ""), index=rows, dtype="string")
        reasons = reasons + separator + code
        words = words + separator + phrase
    return pd.DataFrame({"reasons": reasons, "reason_text": words})


def explain_rows(
    features: FeatureSet, frame: pd.DataFrame, flags: pd.DataFrame | None, rows: np.ndarray, options: MLOptions
) -> pd.DataFrame:
    """``reasons`` (codes, strongest first, ';'-separated) and ``reason_text`` for the given positions."""
    if len(rows) == 0:
        return _no_reasons(rows)
    row_numbers = frame["row_number"].to_numpy()
    rule_strength, rule_text = _rule_strengths(flags, row_numbers, rows)
    feature_strength = _named_features(feature_strengths(features, rows, options.seed), rule_strength, options)
    context = features.context.iloc[rows].set_index(pd.Index(rows))
    selected = frame.iloc[rows].set_index(pd.Index(rows))
    feature_text = pd.DataFrame({code: TEXTS[code](context, selected) for code in feature_strength.columns}, index=rows)
    feature_strength[COMBINATION], feature_text[COMBINATION] = _combination_only(rule_strength, feature_strength)
    strength = pd.concat([rule_strength, feature_strength], axis=1)
    text = pd.concat([rule_text, feature_text], axis=1).astype("string")
    return _strongest_reasons(strength, text, rows, options)


def explain_rule_findings(
    frame: pd.DataFrame, flags: pd.DataFrame | None, rows: np.ndarray, options: MLOptions
) -> pd.DataFrame:
    """The same columns from the rule findings alone, for a file the models could not learn from."""
    if len(rows) == 0:
        return _no_reasons(rows)
    strength, text = _rule_strengths(flags, frame["row_number"].to_numpy(), rows)
    return _strongest_reasons(strength, text.astype("string"), rows, options)
