"""The thresholds of the anomaly_detection stage: the options of each rule family, and scoring."""

from __future__ import annotations

from dataclasses import dataclass

from fintrace_pipeline.analytics.rules.amount import AmountRuleOptions
from fintrace_pipeline.analytics.rules.benford import BenfordRuleOptions
from fintrace_pipeline.analytics.rules.entity import EntityRuleOptions
from fintrace_pipeline.analytics.rules.history import HistoryRuleOptions
from fintrace_pipeline.analytics.rules.journal import JournalRuleOptions
from fintrace_pipeline.analytics.rules.time import TimeRuleOptions


# The families are listed last first: a dataclass takes the fields of its bases in reverse order, so
# the stored parameters read time, amount, entity, journal, history, benford, then scoring and reporting.
@dataclass(frozen=True)
class AnomalyDetectionOptions(
    BenfordRuleOptions, HistoryRuleOptions, JournalRuleOptions, EntityRuleOptions, AmountRuleOptions, TimeRuleOptions
):
    # Findings on lines whose |amount| is below this are one severity level lower (0: none set).
    materiality: float = 0.0
    high_risk_score: float = 3.0
    top_n: int = 25
