"""Which vendor master entry each of a file's vendor names is: the same name once case, accents,
punctuation and legal forms are ignored, else the closest entry by rapidfuzz's token-sort ratio where
it scores high enough: the better of rapidfuzz's ratio and token-sort ratio (word order ignored).
A number in a name tells vendors apart ("Store 12" is not "Store 13")."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from fintrace_pipeline.analytics.references.lists import normalize_name

EXACT, FUZZY, NONE = "exact", "fuzzy", "none"
MATCH_COLUMNS = ("vendor", "entry", "match", "score", "how")
_CHUNK = 2_000  # names scored against the whole master at a time
CLOSE = 60.0  # below this score no entry is close to a name (and scoring stops early)


def match_vendors(vendors: pd.Series, master: pd.DataFrame, min_score: float) -> pd.DataFrame:
    """One row per distinct name in ``vendors``: ``entry`` (position in ``master``, -1 for none), the
    entry's name as ``match``, the ``score`` (100 for an equal normalised name; for an unmatched name
    the score of its closest entry, 0 when none scores ``CLOSE`` or shares its digits) and ``how``
    (exact, fuzzy, none)."""
    names = pd.Series(vendors.dropna().unique(), dtype="string")
    normalized = normalize_name(names).to_numpy(dtype=object)
    master_norm = master["name_normalized"].fillna("").to_numpy(dtype=object)
    named = np.flatnonzero(master_norm != "")
    entry = np.full(len(names), -1, dtype=np.int64)
    score = np.zeros(len(names), dtype=np.float64)
    first_of = pd.Series(named, index=master_norm[named]).groupby(level=0).first()
    exact = pd.Series(normalized).map(first_of)
    found = exact.notna().to_numpy()
    entry[found] = exact[found].astype(np.int64).to_numpy()
    score[found] = 100.0
    rest = np.flatnonzero(~found)
    if len(rest) and len(named):
        choices = master_norm[named].tolist()
        digit_codes, _ = pd.factorize(np.concatenate([_digits(normalized), _digits(master_norm[named])]))
        name_digits, choice_digits = digit_codes[: len(names)], digit_codes[len(names) :]
        for begin in range(0, len(rest), _CHUNK):
            part = rest[begin : begin + _CHUNK]
            queries = normalized[part].tolist()
            # The better of the two ratios: a letter lost at a word's start reorders the sorted words.
            scores = np.maximum(
                process.cdist(queries, choices, scorer=fuzz.ratio, score_cutoff=CLOSE, workers=1),
                process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, score_cutoff=CLOSE, workers=1),
            )
            scores[name_digits[part][:, None] != choice_digits[None, :]] = 0.0
            best = scores.argmax(axis=1)
            entry[part] = named[best]
            score[part] = scores[np.arange(len(part)), best]
    how = np.where(score >= 100.0, EXACT, np.where(score >= min_score, FUZZY, NONE))
    how[~found & (how == EXACT)] = FUZZY  # a perfect ratio of differently normalised names (word order)
    matched_name = np.where(entry >= 0, master["name"].astype(object).to_numpy()[np.maximum(entry, 0)], None)
    return pd.DataFrame(
        {
            "vendor": names,
            "entry": np.where(how == NONE, -1, entry),
            "match": matched_name,
            "score": np.round(score, 1),
            "how": how,
        },
        columns=list(MATCH_COLUMNS),
    )


def _digits(names: np.ndarray) -> np.ndarray:
    return np.asarray(["".join(ch for ch in str(name) if ch.isdigit()) for name in names], dtype=object)
