"""The thresholds of the comparison with a source's earlier files."""

from __future__ import annotations

from dataclasses import dataclass

from fintrace_pipeline.analytics.options import Options


@dataclass(frozen=True)
class HistoryOptions(Options):
    dormant_months: int = 6  # a vendor silent for at least this many whole months is reactivated
    history_min_months: int = 3  # months of its own history an entity needs before its spend is tested
    history_spend_z: float = 3.5  # robust z (median / MAD) at or above which a month's spend has shifted
    history_spend_min_ratio: float = 2.0  # ... and at least this many times its usual month
    history_spend_rows_flagged: int = 5  # the largest lines of a shifted month that carry the finding
    history_duplicate_days: int = 7  # same vendor and amount within this many days of an earlier file
    history_top_n: int = 20  # entries listed per list of the comparison
    history_months_listed: int = 24  # earlier months shown beside the file's
