"""Which ledger lines are expenses: by the account's leading number (a chart-of-accounts range) or,
for accounts without one, by expense-like words in the account name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

_LEADING_NUMBER = re.compile(r"^\s*(\d+)")


@dataclass(frozen=True)
class ExpenseLines:
    mask: np.ndarray  # True for expense lines
    by_account_code: np.ndarray  # True where the account's leading number is in an expense range
    by_account_name: np.ndarray  # True where the name rule (not the code rule) made it an expense
    method: str  # "account_code", "account_name" or "account_code+account_name"


def _per_distinct_value(values: pd.Series, test) -> np.ndarray:
    """Apply ``test`` (a function of a Series of distinct values) once per distinct value and spread
    the answers back over the rows, so a million lines cost as much as their few hundred accounts."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    answers = np.append(np.asarray(test(pd.Series(uniques, dtype=object)), dtype=bool), False)
    return answers[codes]  # code -1 (missing) lands on the appended False


def leading_number(values: pd.Series) -> pd.Series:
    """The number an account string starts with ("6100-200 Travel" -> 6100), NaN when there is none."""
    return pd.to_numeric(values.astype("string").str.extract(_LEADING_NUMBER, expand=False), errors="coerce")


def keyword_pattern(keywords: Sequence[str]) -> str | None:
    """A regex matching any keyword at the start of a word ("rent" finds "Rent", "rental", not
    "current"); None when there are no keywords."""
    alternatives = "|".join(re.escape(k.strip().lower()) for k in keywords if k.strip())
    return rf"\b(?:{alternatives})" if alternatives else None


def _matches(text: pd.Series, pattern: str | None) -> pd.Series:
    if pattern is None:
        return pd.Series(False, index=text.index)
    return text.str.contains(pattern, case=False, regex=True)


def _names_match(names: pd.Series, include: str | None, exclude: str | None) -> np.ndarray:
    text = names.astype("string").fillna("")
    return (_matches(text, include) & ~_matches(text, exclude)).to_numpy(dtype=bool, na_value=False)


def identify_expense_lines(
    frame: pd.DataFrame,
    code_ranges: Sequence[tuple[int, int]],
    name_keywords: Sequence[str],
    name_exclusions: Sequence[str],
    names_override_codes: bool,
) -> ExpenseLines:
    """Expense lines of a canonical frame that has an ``account`` and/or ``account_name`` column.

    A line whose account starts with a number is judged by the number (inside any inclusive range of
    ``code_ranges``); a line whose account carries no number is judged by its name (``account_name``,
    else the account text itself). With ``names_override_codes`` a matching name also makes a coded
    line outside the ranges an expense.
    """
    n = len(frame)
    by_code = np.zeros(n, dtype=bool)
    coded = np.zeros(n, dtype=bool)
    if "account" in frame.columns:

        def in_ranges(values: pd.Series) -> np.ndarray:
            number = leading_number(values)
            hit = np.zeros(len(values), dtype=bool)
            for low, high in code_ranges:
                hit |= ((number >= low) & (number <= high)).to_numpy(dtype=bool, na_value=False)
            return hit

        by_code = _per_distinct_value(frame["account"], in_ranges)
        coded = _per_distinct_value(frame["account"], lambda v: leading_number(v).notna().to_numpy())

    include, exclude = keyword_pattern(name_keywords), keyword_pattern(name_exclusions)
    name_hit = np.zeros(n, dtype=bool)
    for column in ("account_name", "account"):
        if column in frame.columns:
            name_hit |= _per_distinct_value(frame[column], lambda v: _names_match(v, include, exclude))
    by_name = name_hit & ~by_code & (names_override_codes | ~coded)

    methods = [m for m, used in (("account_code", by_code.any()), ("account_name", by_name.any())) if used]
    return ExpenseLines(
        mask=by_code | by_name,
        by_account_code=by_code,
        by_account_name=by_name,
        method="+".join(methods) if methods else "none",
    )
