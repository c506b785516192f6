"""What the rule checks of one anomaly_detection run share: the transactions and what the checks gather
(flags, the checks that could not run and why, per-check statistics for the report)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fintrace_pipeline.analytics.columns import unusable_reason
from fintrace_pipeline.rules import RULES


@dataclass
class RuleRun:
    transactions: pd.DataFrame
    flags: list[pd.DataFrame] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)

    def run(self, check: str, columns: Sequence[str], body: Callable[[], None], allow_empty: bool = False) -> None:
        """``body()`` when the columns it reads are usable, else the check is listed as skipped."""
        reason = unusable_reason(self.transactions, columns, allow_empty)
        if reason is None:
            body()
        else:
            self.skip(check, reason)

    def run_rule(self, code: str, body: Callable[[], None], allow_empty: bool = False) -> None:
        """``run`` for a catalogue rule, on the columns the catalogue says it reads."""
        self.run(code, RULES[code].columns, body, allow_empty)

    def skip(self, check: str, reason: str) -> None:
        self.skipped.append({"check": check, "reason": reason})

    def add(self, flags: pd.DataFrame) -> None:
        self.flags.append(flags)

    def record(self, check: str, flags: pd.DataFrame, stats: dict[str, Any], not_applicable: str | None = None) -> None:
        """A check's flags and statistics; ``not_applicable`` says why it judged nothing, if it did not."""
        self.checks[check] = stats
        if not_applicable:
            self.skip(check, not_applicable)
        self.add(flags)
