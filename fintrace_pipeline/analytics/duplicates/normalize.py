"""Normalising invoice numbers and vendor names so differently keyed spellings compare equal, and a
bounded edit distance (vectorised over many pairs) for names that differ by a typo.

The normalisers work on a Series of distinct values (callers normalise each distinct name once, not
once per row) and return plain strings; an input that normalises to nothing keeps a fallback form so
it never silently matches every other empty name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    text = values.astype("string").str.normalize("NFKD").str.upper().str.replace("&", " AND ", regex=False)
    text = text.str.replace(r"[.'’`]", "", regex=True)
    text = text.str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
    text = text.str.replace(r"^THE\s+", "", regex=True)
    stripped = text.str.replace(_SUFFIX_TAIL, "", regex=True).str.replace(r"\s+AND$", "", regex=True)
    # A name that is nothing but a legal form ("Inc") keeps its cleaned spelling.
    return stripped.mask(stripped == "", text)


def edit_distances_within(left: np.ndarray, right: np.ndarray, limit: int, chunk: int = 200_000) -> np.ndarray:
    """Levenshtein distance of each pair ``left[p]``/``right[p]`` of strings, capped at ``limit + 1``."""
    codes, names = pd.factorize(np.concatenate([np.asarray(left, dtype=object), np.asarray(right, dtype=object)]))
    return edit_distances_between(np.asarray(names, dtype=object), codes[: len(left)], codes[len(left) :], limit, chunk)


def edit_distances_between(
    names: np.ndarray, left: np.ndarray, right: np.ndarray, limit: int, chunk: int = 200_000
) -> np.ndarray:
    """Levenshtein distance of ``names[left[p]]`` and ``names[right[p]]``, capped at ``limit + 1``.

    All pairs advance together through a band of ``2 * limit + 1`` diagonals of the edit-distance table
    (numpy over the pairs, a short Python loop over rows and diagonals), so a million pairs cost a few
    seconds instead of minutes. Names are encoded once; pairs go ``chunk`` at a time to bound memory.
    Characters outside ASCII compare as '?'.
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    result = np.full(len(left), limit + 1, dtype=np.int64)
    if len(left) == 0:
        return result
    length = np.fromiter((len(name) for name in names.tolist()), dtype=np.int64, count=len(names))
    width = max(int(length.max()), 1)
    # Different pads on the two sides, so padding never matches padding.
    left_chars, right_chars = _encode(names, width, "\x00"), _encode(names, width, "\x01")
    reachable = np.flatnonzero(np.abs(length[left] - length[right]) <= limit)
    for begin in range(0, len(reachable), chunk):
        pairs = reachable[begin : begin + chunk]
        left_length, right_length = length[left[pairs]], length[right[pairs]]
        used = max(int(left_length.max()), int(right_length.max()), 1)
        a = np.ascontiguousarray(left_chars[left[pairs], :used].T)
        b = np.ascontiguousarray(right_chars[right[pairs], :used].T)
        result[pairs] = _banded_distances(a, b, left_length, right_length, limit)
    return result


def _encode(names: np.ndarray, width: int, pad: str) -> np.ndarray:
    """Strings as a (len, width) uint8 matrix, padded with ``pad``."""
    joined = "".join(name[:width].ljust(width, pad) for name in names.tolist())
    return np.frombuffer(joined.encode("ascii", errors="replace"), dtype=np.uint8).reshape(len(names), width)


def _banded_distances(
    a: np.ndarray, b: np.ndarray, left_length: np.ndarray, right_length: np.ndarray, limit: int
) -> np.ndarray:
    """Capped distances for pairs whose characters are the columns of ``a`` and ``b`` (width x pairs)."""
    too_far = limit + 1
    width, pairs = a.shape
    band = 2 * limit + 1
    result = np.full(pairs, too_far, dtype=np.int64)
    # previous[d] holds D[i-1][i-1+d-limit] for every pair; row 0 is D[0][j] = j.
    offsets = np.arange(band) - limit
    start = np.where(offsets >= 0, np.minimum(offsets, too_far), too_far).astype(np.int16)
    previous = np.repeat(start[:, None], pairs, axis=1)
    answer_diagonal = np.clip(right_length - left_length + limit, 0, band - 1)
    columns = np.arange(pairs)
    done = left_length == 0
    result[done] = previous[answer_diagonal[done], columns[done]]
    for i in range(1, width + 1):
        current = np.empty_like(previous)
        a_char = a[i - 1]
        for d in range(band):
            j = i + d - limit
            if j <= 0:
                current[d] = min(i, too_far) if j == 0 else too_far
                continue
            if j <= width:
                value = previous[d] + (a_char != b[j - 1])
            else:
                value = previous[d] + 1
            if d + 1 < band:
                np.minimum(value, previous[d + 1] + 1, out=value)
            if d > 0:
                np.minimum(value, current[d - 1] + 1, out=value)
            np.minimum(value, too_far, out=value)
            current[d] = value
        finishing = left_length == i
        result[finishing] = current[answer_diagonal[finishing], columns[finishing]]
        previous = current
    return result
