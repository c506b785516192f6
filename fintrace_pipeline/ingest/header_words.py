"""Splitting a column header into lower-case words, and folding a word for dictionary look-up.

"GLAcctNo" -> gl acct no, "VATAmount" -> vat amount, "Payment_Issue_date" -> payment issue date,
"Net Amount(£)" -> net amount ¤, "Nº factura" -> number factura. Accented letters stay inside their
word ("DATA EMISSÃO" -> data emissão); ``fold`` strips the accents only for look-up.
"""

from __future__ import annotations

import re
import unicodedata

MONEY_SIGN = "¤"  # the word a currency symbol in a header becomes
_CURRENCY_SYMBOLS = "£$€¥₹₩₽¢₺₪₴₦"
# "R$", "US$", "C$": a dollar sign with a country prefix is still one currency symbol.
_PREFIXED_DOLLAR = re.compile(r"(?i)(?<![^\W\d_])[a-z]{1,3}\$")
_NUMERO_SIGN = re.compile(r"(?i)(?<![^\W\d_])n\s*\.?\s*[º°]")
# Two single letters around a slash are one abbreviation: "G/L", "A/C", "D/C", "S/H".
_LETTER_PAIR = re.compile(r"(?<![^\W\d_])([^\W\d_])\s*/\s*([^\W\d_])(?![^\W\d_])")
_PAIR_JOINER = "\u2044"  # a slash that is not punctuation, so the pair stays one word
_WORD = re.compile(rf"[^\W_]{_PAIR_JOINER}[^\W_]|[^\W_]+|{MONEY_SIGN}")
_FOLD_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "þ": "th"})


# Brackets, commas and a spaced dash end a phrase: "Castka bez DPH - radek", "Umsatz (ohne Soll/Haben-Kz)".
_PHRASE_BREAK = re.compile(r"[()\[\]{},;:]|\s[-–]\s")


def header_words(header: str) -> list[str]:
    """The words of a header, lower-cased, in order."""
    return [word for phrase in header_phrases(header) for word in phrase]


def header_phrases(header: str) -> list[list[str]]:
    """The header's words, grouped into the phrases its punctuation separates."""
    text = unicodedata.normalize("NFC", str(header))
    text = _PREFIXED_DOLLAR.sub(f" {MONEY_SIGN} ", text)
    text = re.sub(f"[{_CURRENCY_SYMBOLS}]", f" {MONEY_SIGN} ", text)
    text = _NUMERO_SIGN.sub(" number ", text)
    text = text.replace("+/-", " sign ").replace("#", " number ").replace("%", " percent ").replace("&", " and ")
    text = _LETTER_PAIR.sub(rf" \1{_PAIR_JOINER}\2 ", text)
    phrases = []
    for piece in _PHRASE_BREAK.split(text):
        chunks = _WORD.findall(piece)
        words = [part.lower().replace(_PAIR_JOINER, "/") for chunk in chunks for part in _split_case_and_digits(chunk)]
        if words:
            phrases.append(words)
    return phrases


def _split_case_and_digits(chunk: str) -> list[str]:
    """Split camelCase, PascalCase and acronym-led names, and letters from digits."""
    if _PAIR_JOINER in chunk or chunk == MONEY_SIGN:
        return [chunk]
    parts: list[str] = []
    start = 0
    for i in range(1, len(chunk)):
        before, here = chunk[i - 1], chunk[i]
        after = chunk[i + 1] if i + 1 < len(chunk) else ""
        lower_to_upper = before.islower() and here.isupper()
        # "GLAcct": the last capital of an acronym starts the next word, except a plural "IDs".
        acronym_end = (
            before.isupper() and here.isupper() and after.islower() and not (after == "s" and i + 2 == len(chunk))
        )
        letter_digit = before.isdigit() != here.isdigit()
        if lower_to_upper or acronym_end or letter_digit:
            parts.append(chunk[start:i])
            start = i
    parts.append(chunk[start:])
    return parts


def fold(word: str) -> str:
    """The word without accents, for look-up: "emissão" -> "emissao", "währung" -> "wahrung"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_FOLD_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
