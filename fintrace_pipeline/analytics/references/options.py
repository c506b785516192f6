"""The thresholds of the reference_checks stage."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReferenceCheckOptions:
    # A file's vendor is the master's entry whose normalised name scores at least this (the better of
    # rapidfuzz's ratio and token-sort ratio, 0-100; 100 = the same words), where both carry the same
    # digits. One letter lost in a name of ten or more letters scores 94.7 or more; a name of three
    # words sharing two with another ("Cypress Azure Engineering", "Cypress Aurora Engineering") 90.
    vendor_match_score: float = 94.0
    # A payment of at least this much (absolute amount) is large ...
    large_payment_amount: float = 10_000.0
    # ... and a vendor added to the master at most this many days before its first one is flagged.
    new_vendor_days: int = 30
    top_n: int = 25

    def parameters(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
