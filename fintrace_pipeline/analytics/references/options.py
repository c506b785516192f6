"""The thresholds of the reference_checks stage."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReferenceCheckOptions:
    # A file's vendor is the master's entry whose normalised name scores at least this (rapidfuzz's
    # token-sort ratio, 0-100; 100 = the same words), where both carry the same digits.
    vendor_match_score: float = 90.0
    # A payment of at least this much (absolute amount) is large ...
    large_payment_amount: float = 10_000.0
    # ... and a vendor added to the master at most this many days before its first one is flagged.
    new_vendor_days: int = 30
    top_n: int = 25

    def parameters(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
