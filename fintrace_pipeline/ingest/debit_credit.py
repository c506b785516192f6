"""Debit/credit indicator columns: the sign of an unsigned amount, written as a letter or a word.

SAP writes S (Soll) and H (Haben), Spanish ERPs D (Debe) and H (Haber), Italian ones D (Dare) and A
(Avere), English ones D/C or DR/CR, Dutch banks Af/Bij. Debits are positive, credits negative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest.header_words import fold

DEBIT_MARKS = frozenset({"d", "dr", "db", "deb", "debit", "s", "soll", "debe", "debito", "debet", "dare", "af", "+"})
CREDIT_MARKS = frozenset({"c", "cr", "cred", "credit", "h", "haben", "haber", "credito", "a", "avere", "bij", "-"})
MAX_DISTINCT = 6  # an indicator column holds a handful of distinct values
MIN_MARK_SHARE = 0.9  # and nearly all of them are debit or credit marks


def mark_key(value: str) -> str:
    return fold(value).strip().strip(".").strip()


def signs(text: pd.Series) -> np.ndarray:
    """+1 for a debit mark, -1 for a credit mark, NaN for anything else (or an empty cell)."""
    codes, distinct = pd.factorize(text)  # an indicator column has few distinct values: look those up once
    by_code = np.array([_sign(mark_key(v)) for v in distinct] + [np.nan])
    return by_code[codes]  # code -1 (an empty cell) takes the last entry, NaN


def _sign(key: str) -> float:
    return 1.0 if key in DEBIT_MARKS else -1.0 if key in CREDIT_MARKS else np.nan


def apply_signs(amounts: np.ndarray, sign: np.ndarray) -> tuple[np.ndarray, bool]:
    """Amounts signed by the indicator (credits negative), and whether they already were.

    Amounts that already carry a minus exactly where the indicator says credit are left as they are.
    """
    both = ~np.isnan(sign) & ~np.isnan(amounts)
    negative = amounts[both] < 0
    already_signed = bool(negative.any()) and bool(((negative == (sign[both] < 0)) | (amounts[both] == 0)).all())
    return (amounts if already_signed else amounts * sign), already_signed


def looks_like_indicator(present: pd.Series) -> bool:
    """Nearly every value is a debit or credit mark, and there are only a few distinct values."""
    if present.empty or present.nunique() > MAX_DISTINCT:
        return False
    return float(np.mean(~np.isnan(signs(present)))) >= MIN_MARK_SHARE
