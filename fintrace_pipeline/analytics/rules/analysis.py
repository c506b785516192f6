"""The anomaly_detection stage: rule checks and statistics (incl. Benford) over the canonical frame.

Each rule family (time, amount, entity, journal, history, benford, the journal-entry tests, ending digits,
Nigrini's further digit tests) has its own module with its options and
its checks; this module runs the families on the file, scores every flagged row and hands back the
result with the sections ``report`` assembles.
"""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.flags import (
    demote_below_materiality,
    flagged_summary,
    gather_flags,
    unflaggable_result,
)
from fintrace_pipeline.analytics.rules import report
from fintrace_pipeline.analytics.rules.amount import check_amount_rules
from fintrace_pipeline.analytics.rules.benford import check_benford_rules
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.analytics.rules.digit_tests import check_digit_tests
from fintrace_pipeline.analytics.rules.ending_digits import check_ending_digit_rules
from fintrace_pipeline.analytics.rules.entity import check_entity_rules
from fintrace_pipeline.analytics.rules.entry_tests import check_entry_tests
from fintrace_pipeline.analytics.rules.history import check_history_rules
from fintrace_pipeline.analytics.rules.journal import check_journal_rules
from fintrace_pipeline.analytics.rules.options import AnomalyDetectionOptions
from fintrace_pipeline.analytics.rules.scoring import rule_scores
from fintrace_pipeline.analytics.rules.time import check_time_rules
from fintrace_pipeline.analytics.stage import completed_result
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.rules import ANOMALY_DETECTION


def run_anomaly_detection(transactions: pd.DataFrame, options: AnomalyDetectionOptions | None = None) -> AnalysisResult:
    options = options or AnomalyDetectionOptions()
    parameters = options.parameters()
    missing = unflaggable_result(ANOMALY_DETECTION, parameters, transactions)
    if missing is not None:
        return missing
    run = RuleRun(transactions)
    if len(transactions):
        check_time_rules(run, options)
        check_amount_rules(run, options)
        check_entity_rules(run, options)
        check_journal_rules(run, options)
        check_history_rules(run, options)
        check_benford_rules(run, options, options.top_n)
        check_entry_tests(run, options, options.country)
        check_ending_digit_rules(run, options)
        check_digit_tests(run, options)
    flags = demote_below_materiality(gather_flags(run.flags), transactions, options.materiality)
    scores = rule_scores(flags)
    summary = flagged_summary(transactions, flags, high_risk=int((scores >= options.high_risk_score).sum()))
    summary["anomalies_found"] = int(len(flags))
    return completed_result(
        ANOMALY_DETECTION,
        summary,
        report.sections(run, options, flags, scores, parameters),
        parameters,
        run.skipped,
        flags,
    )
