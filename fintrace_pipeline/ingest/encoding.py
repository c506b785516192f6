"""Which text encoding a delimited file uses, and its text as UTF-8 bytes for the parser.

UTF-8 (with or without BOM) and UTF-16 with a BOM (Excel's "Unicode text") are recognised by their
bytes. Anything else is a single-byte code page: Windows-1252 or the DOS code page 850 that older
finance systems still write, or the Central European Windows-1250 and ISO-8859-2 of Czech, Polish and
Hungarian exports. Each decodes (nearly) any byte, so the one whose non-ASCII characters look like
text wins: letters inside words, currency signs beside numbers, no box-drawing characters, and
accented letters that one language writes together (a Czech "č, ř, ě" read as Windows-1252 becomes
an "è, ø, ì" that no language spells with).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

from fintrace_pipeline.ingest.alphabets import ALPHABETS
from fintrace_pipeline.ingest.errors import IngestError

UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
SINGLE_BYTE = ("cp1252", "cp850", "cp1250", "iso-8859-2")  # in order of preference when they read equally well
_JUDGED_BYTES = 1 << 20
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def decode(data: bytes) -> tuple[str, bytes]:
    """The encoding's name and the text as UTF-8 bytes (without BOM)."""
    for bom, name in UTF16_BOMS:
        if data.startswith(bom):
            try:
                return name, data[len(bom) :].decode(name).encode("utf-8")
            except UnicodeDecodeError:
                raise IngestError("the file starts like UTF-16 text but is not valid UTF-16") from None
    if b"\x00" in data[:_JUDGED_BYTES]:
        raise IngestError("the file is not text: it contains NUL bytes (a binary file, or UTF-16 text without a BOM)")
    offset = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    body = memoryview(data)[offset:]
    try:
        str(body, "utf-8")
        return ("utf-8-sig" if offset else "utf-8"), bytes(body) if offset else data
    except UnicodeDecodeError:
        pass
    name = best_single_byte(bytes(body[:_JUDGED_BYTES]))
    # A byte the code page leaves undefined (rare, past the judged head) becomes U+FFFD, not a failure.
    return name, str(body, name, errors="replace").encode("utf-8")


def best_single_byte(sample: bytes) -> str:
    scores = {name: plausibility(sample.decode(name, errors="replace")) for name in SINGLE_BYTE}
    return max(SINGLE_BYTE, key=lambda name: (scores[name], -SINGLE_BYTE.index(name)))


def plausibility(text: str) -> tuple[float, float]:
    """How much the non-ASCII characters of ``text`` look like real text (higher is better).

    Letters inside words count for the one language whose alphabet holds the most of them, and
    against it where that alphabet lacks them; stray letters, odd capitals and symbols count against.
    Between readings that score alike, the one of commoner letters wins (Czech "ž" over Slovak "ľ",
    which ISO-8859-2 and Windows-1250 write with the same byte).
    """
    score = 0.0
    letters: Counter[str] = Counter()
    for match in _NON_ASCII.finditer(text):
        i = match.start()
        char = text[i]
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        category = unicodedata.category(char)
        if category.startswith("L"):
            in_word = before.isalpha() or after.isalpha()
            odd_case = char.isupper() and before.islower()
            if in_word and not odd_case:
                letters[char.lower()] += 1
            else:
                score -= 1.0
        elif category == "Sc":
            score += -1.0 if before.isalpha() and after.isalpha() else 1.0
        elif category.startswith(("P", "Z")):
            score += 0.0
        else:  # box drawing, other symbols, control characters
            score -= 1.0
    return score + _best_alphabet_fit(letters), _commonness(letters)


def _best_alphabet_fit(letters: Counter[str]) -> float:
    """Letters one alphabet writes, less the letters it does not, for the alphabet that fits best."""
    if not letters:
        return 0.0
    total = sum(letters.values())
    return max(2.0 * sum(n for c, n in letters.items() if c in alphabet) - total for alphabet in ALPHABETS.values())


def _commonness(letters: Counter[str]) -> float:
    """How many alphabets write each letter, on average over the letters."""
    total = sum(letters.values())
    if not total:
        return 0.0
    return sum(n * sum(c in alphabet for alphabet in ALPHABETS.values()) for c, n in letters.items()) / total
