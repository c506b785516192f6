"""What a file shows about where it was written, beyond its dates: decimal-comma amounts, headers in
a language other than English, a currency other than the US dollar, the country it is judged by.

Each is the evidence a person would use to read "03/02/2024" when no date in the file has a day
above 12. Everything here is read from the bounded inference sample and the headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from fintrace_pipeline.ingest import values
from fintrace_pipeline.ingest.header_language import HeaderLanguage, header_language
from fintrace_pipeline.ingest.lexicon import CURRENCY_CODES

MONEY_COLUMNS = ("amount", "debit", "credit")
# Where month-first numeric dates are the custom: the US, its territories and freely associated states.
MONTH_FIRST_COUNTRIES = frozenset("US PR GU VI AS MP UM FM MH PW".split())
# Where numeric dates start with the year, or both orders are common: no hint either way.
NO_HINT_COUNTRIES = frozenset("CA CN JP KR KP TW HU LT MN IR".split())
_US = frozenset({"usd", "us$", "$"})
_SYMBOL = r"[€£¥₹₩₽₺₪₴₦]|\b(?:[A-Z]{1,2}|US)\$|\$|\bKč|\bzł|\bFt\b|\bkr\b|\bFr\."
_CODE = r"\b[A-Z]{3}\b"
_SHOWN_VALUES = 200  # amount cells searched for a currency sign


@dataclass(frozen=True)
class OriginHints:
    decimal_comma: str | None = None  # the header of an amount column written 1.234,56
    language: HeaderLanguage | None = None
    currency: str | None = None  # a non-US currency code or sign the file shows
    country: str | None = None  # ISO 3166-1 alpha-2, as given by the caller

    def day_first_reasons(self) -> list[str]:
        """What in the file itself points to day-first dates."""
        reasons = []
        if self.decimal_comma:
            reasons.append(f"decimal-comma amounts in {self.decimal_comma!r}")
        if self.language:
            reasons.append(f"{self.language.language} header words ({', '.join(self.language.words[:4])})")
        if self.currency:
            reasons.append(f"the currency {self.currency}")
        return reasons

    def country_order(self) -> str | None:
        """ "dmy" or "mdy" as the country writes numeric dates, None without a telling country."""
        if not self.country or self.country in NO_HINT_COUNTRIES:
            return None
        return "mdy" if self.country in MONTH_FIRST_COUNTRIES else "dmy"


def origin_hints(
    headers: Sequence[str], sample: pd.DataFrame, mapping: dict[str, str], country: str | None = None
) -> OriginHints:
    """The hints of a table with these headers, its cleaned inference ``sample`` and its ``mapping``."""
    money = [mapping[name] for name in MONEY_COLUMNS if name in mapping]
    comma = next((h for h in money if values.parse_amounts(sample[h]).convention == values.COMMA_DECIMAL), None)
    return OriginHints(
        decimal_comma=comma,
        language=header_language(headers),
        currency=_foreign_currency(headers, sample, mapping, money),
        country=country.strip().upper()[:2] if country and country.strip() else None,
    )


def _foreign_currency(
    headers: Sequence[str], sample: pd.DataFrame, mapping: dict[str, str], money: list[str]
) -> str | None:
    """The first non-US currency named by the currency column, a header or the amount cells."""
    if "currency" in mapping:
        common = sample[mapping["currency"]].dropna().str.strip().value_counts()
        if len(common):  # the column says which currency most rows are in: nothing else is asked
            return _currency_in(str(common.index[0]))
    for header in headers:
        found = _currency_in(str(header))
        if found:
            return found
    for header in money:
        cells = sample[header].dropna().head(_SHOWN_VALUES)
        found = _currency_in(" ".join(cells.tolist()))
        if found:
            return found
    return None


def _currency_in(text: str) -> str | None:
    for match in re.finditer(f"{_SYMBOL}|{_CODE}", text):
        token = match.group(0)
        if token.lower() in _US:
            continue
        if re.fullmatch(_CODE, token) and token.lower() not in CURRENCY_CODES:
            continue
        return token
    return None
