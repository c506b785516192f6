"""What a column header names: the ideas of its words (see ``lexicon``), and the words nobody knows.

Words are looked up whole, then as a plural, with German "ae/oe/ue" spellings, split as a compound
("Rechnungsnummer" = rechnung + s + nummer, "Kostenstelle" = kosten + stelle, "paymentdate"), and
last as a misspelling of a long dictionary word ("Catergory", "Expenditrue").
Words after a negation are left out ("Amount excl. VAT" is a net amount, not a tax).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from fintrace_pipeline.ingest import lexicon as lx
from fintrace_pipeline.ingest.header_words import MONEY_SIGN, fold, header_phrases

_LINKS = ("", "s", "es", "n", "en", "e")  # letters that join the parts of a German or Dutch compound
_STEM_GROWTH = 8  # letters a stem may grow by inside a word ("organi" -> organisational)
_MIN_PART = 3
_COMPOUND_STARTS = frozenset({"gl", "je", "po"})
# A misspelling is one slip (a letter added, dropped, changed or two swapped) in a word of seven
# letters or more, two in ten or more, with the first letter right.
_MISSPELT_FROM = 7
_TWO_SLIPS_FROM = 10


@dataclass(frozen=True)
class HeaderTerms:
    concepts: frozenset[str]
    unknown: tuple[str, ...]  # words the dictionary does not know


@lru_cache(maxsize=8192)
def header_terms(header: str) -> HeaderTerms:
    concepts: set[str] = set()
    unknown: list[str] = []
    for phrase in header_phrases(header):
        words = [fold(w) for w in phrase]
        negated = False
        left_out: set[str] = set()
        i = 0
        while i < len(words):
            word = words[i]
            pair = (word, words[i + 1]) if i + 1 < len(words) else None
            if pair in lx.PHRASES:
                found: tuple[str, ...] | None = lx.PHRASES[pair]
                i += 2
            else:
                i += 1
                if word in lx.NEGATIONS:
                    negated = True
                    continue
                if word.isdigit() or (word in lx.STOPWORDS and word not in lx.WORDS):
                    continue
                found = (lx.MONEY,) if word == MONEY_SIGN or word in lx.CURRENCY_CODES else word_concepts(word)
            if found is None:
                if not negated:
                    unknown.append(word)
            elif negated:
                left_out.update(found)
            else:
                concepts.update(found)
        if lx.TAX in left_out:
            concepts.add(lx.NET)  # "without VAT": a net amount
    return HeaderTerms(frozenset(concepts), tuple(unknown))


@lru_cache(maxsize=8192)
def word_concepts(word: str) -> tuple[str, ...] | None:
    """The ideas one folded word names, or None when the dictionary does not know it."""
    for variant in _spellings(word):
        if variant in lx.WORDS:
            return lx.WORDS[variant]
    for variant in _spellings(word):
        parts = _segment(variant, 0)
        if parts is not None:
            return tuple(dict.fromkeys(c for part in parts for c in part))
    meant = _meant(word)
    return lx.WORDS[meant] if meant else None


def _meant(word: str) -> str | None:
    """The long dictionary word ``word`` is a misspelling of, if any."""
    if len(word) < _MISSPELT_FROM:
        return None
    slips = 2 if len(word) >= _TWO_SLIPS_FROM else 1
    found = process.extractOne(word, _LONG_WORDS.get(word[0], ()), scorer=OSA.distance, score_cutoff=slips)
    return found[0] if found else None


def _long_words_by_first_letter() -> dict[str, list[str]]:
    by_letter: dict[str, list[str]] = defaultdict(list)
    for known in lx.WORDS:
        if len(known) >= _MISSPELT_FROM - 1:
            by_letter[known[0]].append(known)
    return dict(by_letter)


_LONG_WORDS = _long_words_by_first_letter()


def _spellings(word: str) -> list[str]:
    variants = [word]
    if len(word) > 3 and word.endswith("s"):
        variants.append(word[:-1])
    for pair, letter in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        if pair in word:
            variants.append(word.replace(pair, letter))
    return variants


@lru_cache(maxsize=65536)
def _segment(word: str, start: int) -> tuple[tuple[str, ...], ...] | None:
    """The dictionary parts that make up ``word[start:]`` (a compound), or None."""
    if start == len(word):
        return ()
    rest = word[start:]
    for length in range(len(rest), 1, -1):
        piece = rest[:length]
        is_end = length == len(rest)
        if piece in lx.WORDS and (
            length >= _MIN_PART
            or (is_end and piece in lx.COMPOUND_ENDINGS)
            or (start == 0 and piece in _COMPOUND_STARTS)
        ):
            for link in _LINKS:
                if rest.startswith(link, length):
                    tail = _segment(word, start + length + len(link))
                    if tail is not None:
                        return (lx.WORDS[piece], *tail)
        if piece in lx.STEMS:
            for grown in range(min(_STEM_GROWTH, len(rest) - length) + 1):
                tail = _segment(word, start + length + grown)
                if tail is not None:
                    return (lx.STEMS[piece], *tail)
    return None
