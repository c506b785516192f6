"""Normalising invoice numbers and vendor names so differently keyed spellings compare equal, and a
bounded edit distance (rapidfuzz's Levenshtein over many pairs) for names that differ by a typo.

The normalisers work on a Series of distinct values (callers normalise each distinct name once, not
once per row) and return plain strings; an input that normalises to nothing keeps a fallback form so
it never silently matches every other empty name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# Legal-form words that say nothing about who the vendor is ("Acme Ltd" == "ACME LIMITED").
LEGAL_SUFFIXES = (
    "LTD",
    "LIMITED",
    "INC",
    "INCORPORATED",
    "LLC",
    "LLP",
    "LP",
    "GMBH",
    "AG",
    "KG",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "PLC",
    "SA",
    "SAS",
    "SARL",
    "SRL",
    "SPA",
    "BV",
    "NV",
    "PTY",
    "AB",
    "OY",
    "AS",
    "SE",
    "SL",
    "UG",
    "OHG",
    "SRO",
    "KFT",
    "ZRT",
    "LDA",
    "BVBA",
    "EURL",
)
_SUFFIX_TAIL = r"(?:\s+(?:" + "|".join(LEGAL_SUFFIXES) + r"))+$"


def normalize_invoice(values: pd.Series, drop_alpha_prefix: bool = False) -> pd.Series:
    """ "INV-0042", "inv 42" and "INV42" -> "INV42" (and "42" with ``drop_alpha_prefix``).

    Leading zeros are stripped from every run of digits *before* punctuation goes, so "B/2025/0123"
    and "B/2025/123" agree without "2025" and "0123" merging into one number first.
    """
    text = values.astype("string").str.upper()
    text = text.str.replace(r"(?<![0-9])0+(?=[0-9])", "", regex=True)
    text = text.str.replace(r"[^0-9A-Z]+", "", regex=True)
    if drop_alpha_prefix:
        text = text.str.replace(r"^[A-Z]+(?=[0-9])", "", regex=True)
    return text.mask(text == "", values.astype("string").str.strip().str.upper())


def normalize_vendor(values: pd.Series) -> pd.Series:
    """ "Acme Supplies, Ltd." and "ACME SUPPLIES LIMITED" -> "ACME SUPPLIES".

    Dots and apostrophes vanish without a gap ("L.L.C." -> "LLC", "O'Brien" -> "OBRIEN"), any other
    punctuation becomes a space, "&" reads as "AND", a leading "THE" and trailing legal forms go.
    """
    # Accented letters fold to their base letter ("Café" -> "CAFE") before non-ASCII goes.
    text = fold_accents(values.astype("string")).str.upper().str.replace("&", " AND ", regex=False)
    text = text.str.replace(r"[.'’`]", "", regex=True)
    text = text.str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
    text = text.str.replace(r"^THE\s+", "", regex=True)
    stripped = text.str.replace(_SUFFIX_TAIL, "", regex=True).str.replace(r"\s+AND$", "", regex=True)
    # A name that is nothing but a legal form ("Inc") keeps its cleaned spelling.
    return stripped.mask(stripped == "", text)


def fold_accents(text: pd.Series) -> pd.Series:
    """ "Müller", "Café" -> "Muller", "Cafe": accents dropped, never split off as a gap inside a word."""
    return text.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)


def edit_distances_within(left: np.ndarray, right: np.ndarray, limit: int) -> np.ndarray:
    """Levenshtein distance of each pair ``left[p]``/``right[p]`` of strings, capped at ``limit + 1``."""
    if len(left) == 0:
        return np.zeros(0, dtype=np.int64)
    measured = process.cpdist(
        [str(name) for name in left],
        [str(name) for name in right],
        scorer=Levenshtein.distance,
        score_cutoff=limit,
        workers=1,
    )
    # rapidfuzz reports a distance beyond the cutoff as cutoff + 1, as the callers expect.
    return measured.astype(np.int64)


def edit_distances_between(names: np.ndarray, left: np.ndarray, right: np.ndarray, limit: int) -> np.ndarray:
    """Levenshtein distance of ``names[left[p]]`` and ``names[right[p]]``, capped at ``limit + 1``.

    Pairs whose lengths differ by more than ``limit`` cannot be within it and are not measured.
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    result = np.full(len(left), limit + 1, dtype=np.int64)
    if len(left) == 0:
        return result
    length = np.fromiter((len(name) for name in names.tolist()), dtype=np.int64, count=len(names))
    reachable = np.flatnonzero(np.abs(length[left] - length[right]) <= limit)
    result[reachable] = edit_distances_within(names[left[reachable]], names[right[reachable]], limit)
    return result
