"""Cell values that stand for "no value" (REDACTED, N/A, -, NULL, Sigiloso, ...): they count as missing.

Values match without regard to case, accents, surrounding brackets, quotes, dots or spaces, so
"N/A", "n/a" and "[N/A]" are one placeholder, and "NÃO SE APLICA" is "nao se aplica". Anything that
starts with "redacted" is one too. One regular expression says all this; the whole column is tested
in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fintrace_pipeline.ingest.header_words import fold
from fintrace_pipeline.ingest.values import fullmatch
from fintrace_pipeline.settings import DEFAULT_MISSING_VALUES

_EDGES = r"[\s\[\](){}<>\"'*.]*"
_PROBE = 10_000  # the head of a column that tells whether its values repeat
_REPEATING = 0.3  # at most this share of distinct values: each distinct value is tested once
_ACCENTED = {"a": "aàáâãäå", "e": "eèéêë", "i": "iìíîï", "o": "oòóôõöø", "u": "uùúûü", "c": "cç", "n": "nñ"}


def _pattern(values: Iterable[str]) -> str:
    keys = {re.sub(r"\s+", " ", fold(str(v))).strip(" \t[](){}<>\"'*.") for v in values}
    keys.discard("")
    alternatives = [_spelled(k) for k in sorted(keys, key=len, reverse=True)] + ["redacted.*"]
    return rf"(?i){_EDGES}(?:{'|'.join(alternatives)}){_EDGES}"


def _spelled(key: str) -> str:
    out = []
    for char in key:
        if char == " ":
            out.append(r"\s+")
        elif char in _ACCENTED:
            out.append(f"[{_ACCENTED[char]}]")
        else:
            out.append(re.escape(char))
    return "".join(out)


class MissingValues:
    """The placeholder values of a run (the defaults plus any configured ones)."""

    def __init__(self, values: Iterable[str] = DEFAULT_MISSING_VALUES):
        self.pattern = _pattern(values)
        self._compiled = re.compile(self.pattern, re.DOTALL)

    def is_placeholder(self, value: str) -> bool:
        return self._compiled.fullmatch(value) is not None

    def blank(self, text: pd.Series) -> pd.Series:
        """``text`` (as from ``values.clean_text``) with placeholder values turned into NA.

        A column of few distinct values (vendors, users, accounts) is tested once per distinct value.
        """
        array = pa.array(text.astype("string").array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if len(pc.unique(array.slice(0, _PROBE))) <= _REPEATING * min(len(array), _PROBE):
            encoded = pc.dictionary_encode(array)
            per_value = pc.match_substring_regex(encoded.dictionary, f"^(?:{self.pattern})$")
            if not pc.any(per_value).as_py():
                return text
            hit = pc.fill_null(pc.take(per_value, encoded.indices), False).to_numpy(zero_copy_only=False)
        else:
            hit = fullmatch(text, self.pattern)
        return text.mask(hit) if hit.any() else text

    def among(self, text: pd.Series, where: np.ndarray) -> np.ndarray:
        """Which values are placeholders, testing only the positions in ``where`` (for columns whose
        other values already read as dates or amounts)."""
        found = np.zeros(len(text), dtype=bool)
        positions = np.flatnonzero(where)
        if len(positions):
            found[positions] = fullmatch(text.iloc[positions], self.pattern)
        return found
