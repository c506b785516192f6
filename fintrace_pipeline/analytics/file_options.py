"""A stage's options for one file: its defaults, then the configured values, then the file's own."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


def options_for(options_type: type, *overrides: Mapping[str, Any] | None):
    """An ``options_type`` instance with each mapping's values applied in turn (later ones win).

    Names the options type does not have are ignored: one mapping serves every stage, each taking
    the thresholds it knows.
    """
    known = {f.name for f in dataclasses.fields(options_type)}
    values: dict[str, Any] = {}
    for mapping in overrides:
        values.update({k: v for k, v in (mapping or {}).items() if k in known})
    return options_type(**values)
