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


def _names(frame: pd.DataFrame, entity: str) -> pd.Series:
    """The row's ``entity`` as text, NA where the row names none (or the file has no such column)."""
    if entity not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    names = frame[entity].astype("string").str.strip()
    return names.mask(names == "")


def _entity(context: pd.DataFrame, frame: pd.DataFrame, entity: str) -> pd.Series:
    """The row's ``entity`` for a reason that is only ever given where the row names one."""
    return _names(frame, entity).fillna("")


def own_baseline(context: pd.DataFrame, entity: str, options: MLOptions) -> pd.Series:
    """Whether a row was compared with its own ``entity``'s lines; otherwise, the entity being blank or
    having fewer than ``min_entity_rows`` lines, the features compared it with the whole file."""
    lines = context.get(f"{entity}_lines")
    if lines is None:
        return pd.Series(False, index=context.index)
    return lines.astype("int64") >= options.min_entity_rows


def _ratio_text(
    kind: str, median_column: str, what: str, options: MLOptions
) -> Callable[[pd.DataFrame, pd.DataFrame], pd.Series]:
    def text(ctx: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
        median = ctx[median_column].astype("float64")
        ratio = "Amount " + _fmt(ctx["amount"].abs() / median.where(median > 0)).fillna("n/a") + "× "
        shown = " (" + _fmt(median, 2).fillna("n/a") + ")"
        names = _names(frame, kind)
        own = ratio + kind + " " + names.fillna("") + "'s " + what + shown
        if what != "median":  # a recent median is always the entity's own
            return own
        # ", as": the reasons of a row are joined with "; ", so one reason does not use it.
        few = ", as " + kind + " " + names.fillna("") + " has too few lines (" + ctx[f"{kind}_lines"].astype("string")
        few = few + ") for a median of its own"
        blank = pd.Series(f", as the line names no {kind}", index=ctx.index, dtype="string")
        file_wide = ratio + "the file's median" + shown + few.where(names.notna(), blank)
        return own.where(own_baseline(ctx, kind, options), file_wide)

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
    plain = "Round amount " + _fmt(ctx["amount"], 2)
    if "user_lines" not in ctx.columns:
        return plain
    names = _names(frame, "user")
    from_user = plain + " from user " + names.fillna("") + " with " + ctx["user_lines"].astype("string") + " lines"
    return from_user.where(names.notna(), plain)


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


def _texts(options: MLOptions) -> dict[str, Callable[[pd.DataFrame, pd.DataFrame], pd.Series]]:
    return {
        "LARGE_AMOUNT": _size_text,
        "AMOUNT_VS_USER": _ratio_text("user", "user_median_amount", "median", options),
        "AMOUNT_VS_VENDOR": _ratio_text("vendor", "vendor_median_amount", "median", options),
        "AMOUNT_VS_ACCOUNT": _ratio_text("account", "account_median_amount", "median", options),
        "AMOUNT_VS_USER_RECENT": _ratio_text("user", "user_recent_median_amount", "recent median", options),
        "AMOUNT_VS_ACCOUNT_RECENT": _ratio_text("account", "account_recent_median_amount", "recent median", options),
        "RARE_USER_ACCOUNT": _pair_text("user"),
        "RARE_VENDOR_ACCOUNT": _pair_text("vendor"),
        "UNUSUAL_HOUR_FOR_USER": _hour_text,
        "UNUSUAL_WEEKDAY_FOR_USER": _weekday_text,
        "ROUND_NUMBER": _round_text,
        "FIRST_DIGIT_PATTERN": _digit_text,
        "VENDOR_BURST": _burst_text("vendor", "payments"),
        "USER_BURST": _burst_text("user", "lines"),
    }


# Reasons that state one fact: a row names it once, in the words of its strongest statement (a rule
# finding's, where a rule states it). An amount compared with an entity's median and with its recent
# median is one fact about that entity; compared with the file's median it is the file's.
FACTS = {
    "LARGE_AMOUNT": "amount_vs_file",
    "AMOUNT_VS_USER": "amount_vs_user",
    "AMOUNT_VS_USER_RECENT": "amount_vs_user",
    "USER_AMOUNT_OUTLIER": "amount_vs_user",
    "AMOUNT_VS_VENDOR": "amount_vs_vendor",
    "AMOUNT_VS_ACCOUNT": "amount_vs_account",
    "AMOUNT_VS_ACCOUNT_RECENT": "amount_vs_account",
    "ACCOUNT_AMOUNT_OUTLIER": "amount_vs_account",
    "ROUND_NUMBER": "round_amount",
    "ROUND_AMOUNT": "round_amount",
    "RARE_USER_ACCOUNT": "user_account",
    "UNUSUAL_USER_ACCOUNT": "user_account",
    "UNUSUAL_WEEKDAY_FOR_USER": "weekday",
    "WEEKEND_POSTING": "weekday",
    "UNUSUAL_HOUR_FOR_USER": "hour",
    "AFTER_HOURS": "hour",
    "FIRST_DIGIT_PATTERN": "leading_digit",
    "BENFORD_DIGIT": "leading_digit",
    "VENDOR_BURST": "vendor_volume",
    "VENDOR_VOLUME_SPIKE": "vendor_volume",
}
# Compared with the file's median (see ``own_baseline``), an entity comparison is the file's fact.
_FILE_WIDE_WHEN_SMALL = {"AMOUNT_VS_USER": "user", "AMOUNT_VS_VENDOR": "vendor", "AMOUNT_VS_ACCOUNT": "account"}
# A leading digit is named only when the file holds it beyond chance (1 % over the nine digits) and
# by a margin that matters (a tenth above Benford's share); with a million rows any excess is significant.
DIGIT_MIN_Z = 3.06
DIGIT_MIN_EXCESS = 1.1


def _facts(codes: list[str], context: pd.DataFrame | None, options: MLOptions, rows: int) -> np.ndarray:
    """The fact each reason code states, per row (rows × codes); without ``context`` every code states
    its catalogue fact."""
    facts = np.empty((rows, len(codes)), dtype=object)
    for j, code in enumerate(codes):
        facts[:, j] = FACTS.get(code, code)
        if context is not None and code in _FILE_WIDE_WHEN_SMALL:
            own = own_baseline(context, _FILE_WIDE_WHEN_SMALL[code], options).to_numpy()
            facts[~own, j] = "amount_vs_file"
    return facts


def _digit_excess_is_real(context: pd.DataFrame, rows_with_digit: int) -> pd.Series:
    share, expected = context["first_digit_share"], context["first_digit_benford"]
    spread = np.sqrt(expected * (1 - expected) / max(rows_with_digit, 1))
    z = (share - expected) / spread.where(spread > 0)
    return (z >= DIGIT_MIN_Z) & (share >= DIGIT_MIN_EXCESS * expected)


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
    strength: pd.DataFrame, text: pd.DataFrame, facts: np.ndarray, rows: np.ndarray, options: MLOptions
) -> pd.DataFrame:
    """The ``max_reasons`` strongest facts of each row: their codes (';'-separated) and texts, strongest
    first. A fact stated by several codes counts once, at its strongest, in a rule finding's words
    where a rule states it; a text already given is not given again."""
    codes = np.asarray(strength.columns, dtype=object)
    if len(codes) == 0:
        return _no_reasons(rows)
    values = strength.to_numpy(dtype=np.float64, na_value=np.nan)
    row, code = np.nonzero(~np.isnan(values))
    if len(row) == 0:
        return _no_reasons(rows)
    value = values[row, code]
    fact = pd.factorize(facts[row, code])[0]
    rule = np.array([c in RULES for c in codes])[code]
    # Strongest first (ties in column order): a fact stands where its strongest statement stands ...
    order = np.lexsort((code, -value, row))
    row, code, fact, rule = row[order], code[order], fact[order], rule[order]
    position = np.arange(len(row))
    lead = pd.Series(position).groupby([row, fact], sort=False).transform("min").to_numpy()
    # ... in the words of the first rule finding that states it, else of its strongest statement.
    by_speaker = np.lexsort((position, ~rule, fact, row))
    first = np.r_[True, (row[by_speaker][1:] != row[by_speaker][:-1]) | (fact[by_speaker][1:] != fact[by_speaker][:-1])]
    speaker = by_speaker[first]
    speaker = speaker[np.lexsort((lead[speaker], row[speaker]))]
    text_values = text.to_numpy(dtype=object, na_value="")
    picked = pd.DataFrame(
        {"row": row[speaker], "name": codes[code[speaker]], "words": text_values[row[speaker], code[speaker]]}
    )
    picked = picked.drop_duplicates(["row", "words"])
    slot = picked.groupby("row").cumcount().to_numpy()
    picked = picked[slot < options.max_reasons]
    slot = slot[slot < options.max_reasons]
    reasons = np.full(len(rows), "", dtype=object)
    reason_text = np.full(len(rows), "", dtype=object)
    for number in range(options.max_reasons):
        chosen = picked[slot == number]
        at = chosen["row"].to_numpy()
        separator = "; " if number else ""
        reasons[at] = reasons[at] + separator + chosen["name"].to_numpy(dtype=object)
        reason_text[at] = reason_text[at] + separator + chosen["words"].to_numpy(dtype=object)
    return pd.DataFrame({"reasons": reasons, "reason_text": reason_text}, index=rows).astype("string")


def explain_rows(
    features: FeatureSet, frame: pd.DataFrame, flags: pd.DataFrame | None, rows: np.ndarray, options: MLOptions
) -> pd.DataFrame:
    """``reasons`` (codes, strongest first, ';'-separated) and ``reason_text`` for the given positions."""
    if len(rows) == 0:
        return _no_reasons(rows)
    row_numbers = frame["row_number"].to_numpy()
    rule_strength, rule_text = _rule_strengths(flags, row_numbers, rows)
    context = features.context.iloc[rows].set_index(pd.Index(rows))
    strength = feature_strengths(features, rows, options.seed)
    if "FIRST_DIGIT_PATTERN" in strength.columns:
        real = _digit_excess_is_real(context, int((features.context["first_digit"] > 0).sum()))
        strength["FIRST_DIGIT_PATTERN"] = strength["FIRST_DIGIT_PATTERN"].where(real, 0.0)
    feature_strength = _named_features(strength, rule_strength, options)
    selected = frame.iloc[rows].set_index(pd.Index(rows))
    texts = _texts(options)
    feature_text = pd.DataFrame({code: texts[code](context, selected) for code in feature_strength.columns}, index=rows)
    feature_strength[COMBINATION], feature_text[COMBINATION] = _combination_only(rule_strength, feature_strength)
    strength = pd.concat([rule_strength, feature_strength], axis=1)
    text = pd.concat([rule_text, feature_text], axis=1).astype("string")
    facts = _facts(list(strength.columns), context, options, len(rows))
    return _strongest_reasons(strength, text, facts, rows, options)


def explain_rule_findings(
    frame: pd.DataFrame, flags: pd.DataFrame | None, rows: np.ndarray, options: MLOptions
) -> pd.DataFrame:
    """The same columns from the rule findings alone, for a file the models could not learn from."""
    if len(rows) == 0:
        return _no_reasons(rows)
    strength, text = _rule_strengths(flags, frame["row_number"].to_numpy(), rows)
    facts = _facts(list(strength.columns), None, options, len(rows))
    return _strongest_reasons(strength, text.astype("string"), facts, rows, options)
