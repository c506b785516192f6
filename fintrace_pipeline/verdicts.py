"""Verdicts a reviewer records on a transaction (a row of a file) or on a journal entry.

``confirmed``: a real issue; ``cleared``: not an issue; ``follow_up``: needs more work. Every verdict is
kept; the newest one on a target is the one that counts. Rows without a verdict are unreviewed, which
is not the same as cleared.
"""

from __future__ import annotations

CONFIRMED, CLEARED, FOLLOW_UP = "confirmed", "cleared", "follow_up"
VERDICTS = (CONFIRMED, CLEARED, FOLLOW_UP)
# How an imported file may spell them: a label column's 1 and 0 besides the names.
_SPELLINGS = {CONFIRMED: CONFIRMED, CLEARED: CLEARED, FOLLOW_UP: FOLLOW_UP, "1": CONFIRMED, "0": CLEARED}
LABEL_VERDICTS = {1: CONFIRMED, 0: CLEARED}
# What a review queue may be narrowed to: the items without a verdict, those with one, or those
# whose verdict that counts is one of the three.
UNREVIEWED, REVIEWED = "unreviewed", "reviewed"
REVIEW_STATES = (UNREVIEWED, REVIEWED, *VERDICTS)
# Who recorded verdicts that came with the file itself (a mapped ``label`` column) or by import.
IMPORT_REVIEWER = "import"
MAX_COMMENT_LENGTH = 2000


class InvalidVerdict(ValueError):
    pass


def parse_verdict(value: object) -> str:
    """The verdict ``value`` names (a verdict's name, or 1/0), else ``InvalidVerdict``."""
    text = str(value).strip().lower() if value is not None else ""
    if text.endswith(".0"):
        text = text[:-2]  # a spreadsheet's 1.0
    verdict = _SPELLINGS.get(text)
    if verdict is None:
        raise InvalidVerdict(f"verdict {str(value)[:40]!r} is not one of {', '.join(VERDICTS)} (or 1 / 0)")
    return verdict


def clean_comment(value: object) -> str | None:
    """A comment as stored: None when empty; refused when too long or not storable as text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidVerdict("comment must be text")
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidVerdict(f"comment must be at most {MAX_COMMENT_LENGTH} characters")
    if "\x00" in text:
        raise InvalidVerdict("comment must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidVerdict("comment must be valid Unicode text") from None
    return text
