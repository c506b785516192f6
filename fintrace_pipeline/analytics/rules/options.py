"""The thresholds of the anomaly_detection stage: the options of each rule family, and scoring."""

from __future__ import annotations

from dataclasses import dataclass

from fintrace_pipeline.analytics.rules.amount import AmountRuleOptions
from fintrace_pipeline.analytics.rules.benford import BenfordRuleOptions
from fintrace_pipeline.analytics.rules.digit_tests import DigitTestOptions
from fintrace_pipeline.analytics.rules.ending_digits import EndingDigitOptions
from fintrace_pipeline.analytics.rules.entity import EntityRuleOptions
from fintrace_pipeline.analytics.rules.entry_tests import EntryTestOptions
from fintrace_pipeline.analytics.rules.history import HistoryRuleOptions
from fintrace_pipeline.analytics.rules.journal import JournalRuleOptions
from fintrace_pipeline.analytics.rules.time import TimeRuleOptions


# The families are listed last first: a dataclass takes the fields of its bases in reverse order, so
# the stored parameters read time, amount, entity, journal, history, benford, the journal-entry tests,
# ending digits, the further digit tests, then scoring and reporting.
@dataclass(frozen=True)
class AnomalyDetectionOptions(
    DigitTestOptions,
    EndingDigitOptions,
    EntryTestOptions,
    BenfordRuleOptions,
    HistoryRuleOptions,
    JournalRuleOptions,
    EntityRuleOptions,
    AmountRuleOptions,
    TimeRuleOptions,
):
    # Findings on lines whose |amount| is below this are one severity level lower (0: none set).
    materiality: float = 0.0
    high_risk_score: float = 3.0
    top_n: int = 25
