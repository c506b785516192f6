"""Columns that name the values of a code column ("TRANS CAC CODE 2" / "TRANS CAC DESC 2",
"Dept Code" / "Dept Description"): the name of a cost centre, an account or a category, repeated on
every line that carries the code, not a description of the transaction.

A column is a code's name when its header has a description word, another column's header has a
code word, and their values go one-to-one: each code has one name, each name one code, and the
names repeat (free text describing each transaction does not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from fintrace_pipeline.ingest import lexicon as lx
from fintrace_pipeline.ingest.header_terms import header_terms

_NAMING = frozenset({lx.DESCRIPTION, lx.NAME})
_CODING = frozenset({lx.CODE, lx.NUMBER, lx.ID})
MAX_DISTINCT_SHARE = 0.5  # a code's names repeat: at most this many distinct names per line
SLACK = 0.02  # pairs that break the one-to-one rule (typing slips, renamed codes)


def code_labels(headers: Sequence[str], sample: Mapping[str, pd.Series]) -> set[str]:
    """The headers among ``headers`` whose column names the codes of another column (``sample``:
    each header's sampled values, by row)."""
    codes = [h for h in headers if header_terms(h).concepts & _CODING]
    return {
        header
        for header in headers
        if header_terms(header).concepts & _NAMING
        and any(_one_to_one(sample[code], sample[header]) for code in codes if code != header)
    }


def _one_to_one(codes: pd.Series, names: pd.Series) -> bool:
    both = pd.DataFrame({"code": codes, "name": names}).dropna()
    if len(both) < 2:
        return False
    distinct_names = both["name"].nunique()
    if distinct_names < 2 or distinct_names > MAX_DISTINCT_SHARE * len(both):
        return False
    pairs = len(both.drop_duplicates())
    allowed = SLACK * len(both)
    return pairs - both["code"].nunique() <= allowed and pairs - distinct_names <= allowed
