"""Cell values that stand for "no value" (REDACTED, N/A, -, NULL, Sigiloso, ...): they count as missing.

Values are compared by a key without case, accents, brackets, quotes, surrounding spaces or a final
dot, so "N/A", "n/a" and "[N/A]" are one placeholder. Anything that starts with "redacted" is one too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fintrace_pipeline.ingest.header_words import fold
from fintrace_pipeline.settings import DEFAULT_MISSING_VALUES

_EDGES = "[](){}<>\"'*. \t"
_REDACTED = "redacted"


def placeholder_key(value: str) -> str:
    return re.sub(r"\s+", " ", fold(str(value))).strip(_EDGES)


class MissingValues:
    """The placeholder values of a run (the defaults plus any configured ones)."""

    def __init__(self, values: Iterable[str] = DEFAULT_MISSING_VALUES):
        self.keys = frozenset(placeholder_key(v) for v in values)
        self.longest = max((len(v) for v in values), default=0) + 4

    def is_placeholder(self, value: str) -> bool:
        key = placeholder_key(value)
        return key in self.keys or key.startswith(_REDACTED)

    def blank(self, text: pd.Series) -> pd.Series:
        """``text`` (as from ``values.clean_text``) with placeholder values turned into NA.

        Only short values without digits can be placeholders, so only those are looked at.
        """
        array = pa.array(text.astype("string").array)
        short = pc.less_equal(pc.utf8_length(array), self.longest)
        candidates = pc.and_kleene(short, pc.invert(pc.match_substring_regex(array, r"\d")))
        found = pc.unique(pc.filter(array, pc.fill_null(candidates, False)))
        placeholders = [v for v in found.to_pylist() if v is not None and self.is_placeholder(v)]
        if not placeholders:
            return text
        hit = pc.fill_null(pc.is_in(array, value_set=pa.array(placeholders, type=array.type)), False)
        return text.mask(hit.to_numpy(zero_copy_only=False).astype(bool, copy=False))
