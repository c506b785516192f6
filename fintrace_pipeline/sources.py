"""Sources: the company, ledger or card programme a file comes from.

History, verdicts and learned models are kept per source and never cross sources. A source is a
short slug, so that it can also name a folder of the inbox.
"""

from __future__ import annotations

import re

DEFAULT_SOURCE = "default"
MAX_SOURCE_LENGTH = 40
_SLUG = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{MAX_SOURCE_LENGTH - 1}}}")
# The inbox keeps the files it has taken in a folder of this name, so no source may be called so.
RESERVED_SOURCES = frozenset({"processed"})


class InvalidSource(ValueError):
    pass


def is_source_name(name: str) -> bool:
    return _SLUG.fullmatch(name) is not None and name not in RESERVED_SOURCES


def validate_source(name: str) -> str:
    """``name`` when it is a usable source name, else ``InvalidSource`` with what a name may be."""
    if name in RESERVED_SOURCES:
        raise InvalidSource(f"source {name!r} is reserved (the inbox's folder of files already taken)")
    if not is_source_name(name):
        raise InvalidSource(
            f"source {name[:60]!r} is not a valid name: use 1-{MAX_SOURCE_LENGTH} lowercase letters, "
            "digits, '-' or '_', starting with a letter or digit"
        )
    return name
