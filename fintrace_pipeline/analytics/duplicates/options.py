"""The thresholds of the duplicate tests."""

from __future__ import annotations

from dataclasses import dataclass

from fintrace_pipeline.analytics.options import Options

DEFAULT_REVERSAL_PATTERN = (
    r"\brevers(?:al|ed|e|ing)\b|\bvoid(?:ed)?\b|\bstorno\b|\bcancel(?:s|led|ed|lation)?\b|\bcredit[\s-]*note\b"
)


@dataclass(frozen=True)
class DuplicateAnalysisOptions(Options):
    near_date_days: int = 7  # DUP_VENDOR_AMOUNT_NEAR_DATE: max days between consecutive lines
    same_date_min_amount: float = 1_000.0  # DUP_SAME_AMOUNT_DATE_DIFF_VENDOR ignores smaller amounts
    drop_invoice_alpha_prefix: bool = False  # "INV42" == "42" when True
    name_max_edit_distance: int = 2
    name_min_length: int = 8  # normalised names shorter than this only match when equal
    name_compare_window: int = 10  # each name is compared with this many sorted neighbours in its block
    reversal_pattern: str | None = DEFAULT_REVERSAL_PATTERN  # descriptions marking a reversal; None: off
    top_n_groups: int = 20  # groups listed per test in risk_assessment
    max_members_listed: int = 8  # members listed per group
    # A duplicate whose document (line) amount is below this is one severity level lower (0: none set).
    materiality: float = 0.0
