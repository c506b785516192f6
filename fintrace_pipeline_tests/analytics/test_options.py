"""Options: one frozen object per rule family, combined per stage and stored flat with the result."""

from __future__ import annotations

import dataclasses

import pytest

from fintrace_pipeline.analytics.duplicates import DuplicateAnalysisOptions, run_duplicate_analysis
from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions
from fintrace_pipeline.analytics.rules.amount import AmountRuleOptions
from fintrace_pipeline.analytics.rules.benford import BenfordRuleOptions
from fintrace_pipeline.analytics.rules.digit_tests import DigitTestOptions
from fintrace_pipeline.analytics.rules.ending_digits import EndingDigitOptions
from fintrace_pipeline.analytics.rules.entity import EntityRuleOptions
from fintrace_pipeline.analytics.rules.entry_tests import EntryTestOptions
from fintrace_pipeline.analytics.rules.history import HistoryRuleOptions
from fintrace_pipeline.analytics.rules.journal import JournalRuleOptions
from fintrace_pipeline.analytics.rules.time import TimeRuleOptions
from fintrace_pipeline_tests.analytics.rules.frames import ledger

FAMILY_OPTIONS = (
    TimeRuleOptions,
    AmountRuleOptions,
    EntityRuleOptions,
    JournalRuleOptions,
    HistoryRuleOptions,
    BenfordRuleOptions,
    EntryTestOptions,
    EndingDigitOptions,
    DigitTestOptions,
)


def test_the_stage_options_hold_each_family_threshold_once():
    names = [f.name for family in FAMILY_OPTIONS for f in dataclasses.fields(family)]
    assert len(names) == len(set(names))
    assert list(AnomalyDetectionOptions().parameters()) == [*names, "materiality", "high_risk_score", "top_n"]
    options = AnomalyDetectionOptions(round_base=500.0, backdated_days=10)
    assert all(isinstance(options, family) for family in FAMILY_OPTIONS)
    assert options.parameters()["round_base"] == 500.0 and options.parameters()["backdated_days"] == 10


def test_parameters_are_json_safe_and_options_frozen():
    parameters = AnomalyDetectionOptions().parameters()
    assert parameters["approval_limits"] == [2500, 5000, 10000, 25000, 50000, 100000]
    assert parameters["holiday_calendar"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        AnomalyDetectionOptions().top_n = 3  # type: ignore[misc]


def test_a_result_stores_the_options_it_ran_with():
    frame = ledger(amount=[1.0, 2.0], vendor=["A", "A"], invoice_number=["1", "2"])
    options = DuplicateAnalysisOptions(near_date_days=2, reversal_pattern=None)
    assert run_duplicate_analysis(frame, options).parameters == options.parameters()
    assert options.parameters()["near_date_days"] == 2 and options.parameters()["reversal_pattern"] is None
