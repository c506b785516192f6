"""Thresholds: every stage takes one frozen options object and stores its values with the result."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fintrace_pipeline.jsonsafe import json_safe


class Options:
    """Base of the options dataclasses. A stage's options combine the options of the families it runs
    (as base classes), so one object carries every threshold and each is stored once, by name."""

    def parameters(self) -> dict[str, Any]:
        """The values stored with a result as its ``parameters`` (JSON-safe)."""
        return json_safe(asdict(self))  # type: ignore[call-overload]
