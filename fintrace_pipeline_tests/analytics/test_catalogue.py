"""The rule catalogue against what the stages raise: codes, stages, families, columns, severities and
the sentences the reasons fill in."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.analytics.duplicates import run_duplicate_analysis
from fintrace_pipeline.analytics.duplicates.checks import CHECKS
from fintrace_pipeline.analytics.flags import FLAGGING_COLUMNS
from fintrace_pipeline.analytics.references import ReferenceCheckOptions, run_reference_checks
from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline.canonical import ALL_COLUMNS
from fintrace_pipeline.findings import SEVERITIES
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.ingest import ingest_file
from fintrace_pipeline.rules import (
    ANOMALY_DETECTION,
    DUPLICATE_ANALYSIS,
    FAMILIES,
    PERIOD_COMPARISON,
    REFERENCE_CHECKS,
    RULES,
    Rule,
    fill,
    plural_s,
    rules_for,
)
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.references.frames import references_for
from fintrace_pipeline_tests.analytics.rules.frames import history_ledger, ledger


def _reference_checks(transactions: pd.DataFrame):
    """The reference checks against lists made for the file (see ``references_for``); options as for
    every stage, the large payment at the file's largest line."""
    references = references_for(transactions)
    largest = float(transactions["amount"].abs().max()) if len(transactions) else 0.0
    return run_reference_checks(transactions, ReferenceCheckOptions(large_payment_amount=largest), references)


STAGES = {
    DUPLICATE_ANALYSIS: run_duplicate_analysis,
    ANOMALY_DETECTION: run_anomaly_detection,
    REFERENCE_CHECKS: _reference_checks,
}
# Stages that compare a file with other files: their rules are raised in their own tests
# (analytics/history/test_analysis.py), the catalogue holds them all the same.
CROSS_FILE_STAGES = (PERIOD_COMPARISON,)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("gen") / "ledger.csv"
    write_ledger(generate_ledger(3_000, seed=11), path)
    frame = ingest_file(path, max_decompressed_bytes=2**30, max_rows=10**6).transactions
    # The generated ledger names no source system: every 40th line is given a manual one.
    manual = frame["row_number"].to_numpy() % 40 == 0
    frame["source"] = pd.array(np.where(manual, "Manual JE", "AP interface"), dtype="string")
    return frame


@pytest.fixture(scope="module")
def journal_oddities() -> pd.DataFrame:
    """What the generated ledger does not hold: a posting on a holiday, an entry number used on two
    dates, a gap in the numbering and one amount twice on a day in two entries."""
    return ledger(
        posting_date=["2024-07-04", "2024-07-08", "2024-07-09", "2024-07-09"],
        amount=[123.45, 123.45, 5_000.0, 5_000.0],
        je_number=["JE-1", "JE-1", "JE-2", "JE-4"],
    )


@pytest.fixture(scope="module")
def nonconforming_vendor() -> pd.DataFrame:
    """A vendor whose 1,000 amounts spread over three decades as Benford's law has them, but for 150
    invoices of 9,500–9,556: its first digits do not conform, through an excess of 95. Every amount
    differs, so no duplicate test has anything to say about it."""
    spread = np.round(10 ** (1 + (np.arange(1000) + 0.5) / 1000 * 3), 2)
    cluster = np.round(9500 + np.arange(150) * 0.37, 2)
    amounts = np.concatenate([spread[np.abs(spread - 9528) > 60], cluster])
    return ledger(amount=amounts, vendor=["Acme"] * len(amounts))


@pytest.fixture(scope="module")
def raised(
    generated: pd.DataFrame, journal_oddities: pd.DataFrame, nonconforming_vendor: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Every flag each stage raises on the four files (the last: a user's amounts risen for a fortnight
    and a vendor's week of extra invoices, every amount different), and those the generated file raises
    once a period close date is set."""
    files = (generated, journal_oddities, nonconforming_vendor, history_ledger())
    raised = {stage: pd.concat([run(f).flags for f in files], ignore_index=True) for stage, run in STAGES.items()}
    # Entries keyed in after a period's close are only looked for once a close date is set.
    closed = run_anomaly_detection(generated, AnomalyDetectionOptions(period_close_date="2025-02-03")).flags
    raised[ANOMALY_DETECTION] = pd.concat([raised[ANOMALY_DETECTION], closed], ignore_index=True)
    return raised


def _sentence_pattern(pattern: str) -> re.Pattern[str]:
    """A rule's sentence as a regex: the words as written, any text in each slot."""
    parts = [
        re.escape(literal) + ("(.*)" if name is not None else "")
        for literal, name, _, _ in string.Formatter().parse(pattern)
    ]
    return re.compile("".join(parts), re.S)


def test_every_rule_is_complete_and_consistent():
    for rule in RULES.values():
        assert rule.stage in STAGES or rule.stage in CROSS_FILE_STAGES, rule.code
        assert rule.family in FAMILIES, rule.code
        assert rule.severity in SEVERITIES, rule.code
        assert rule.title and rule.reason, rule.code
        assert rule.columns and set(rule.columns) <= set(ALL_COLUMNS), rule.code
        assert (rule.family == "duplicates") == (rule.stage == DUPLICATE_ANALYSIS), rule.code
        # Duplicate tests compare documents where a file has journal entries and say so in other words.
        assert bool(rule.entry_reason) == (rule.stage == DUPLICATE_ANALYSIS), rule.code
    assert {r.family for r in rules_for(ANOMALY_DETECTION)} == set(FAMILIES) - {"duplicates", "reference"}
    assert {r.family for r in rules_for(REFERENCE_CHECKS)} == {"reference"}
    assert list(CHECKS) == [r.code for r in rules_for(DUPLICATE_ANALYSIS)]


def test_every_rule_a_stage_raises_is_in_the_catalogue_under_that_stage(raised):
    for stage, flags in raised.items():
        assert {RULES[code].stage for code in flags["rule_code"]} == {stage}
    # Between them the four files make the stages raise every rule there is.
    in_file = {code for code, rule in RULES.items() if rule.stage in STAGES}
    assert set().union(*(set(flags["rule_code"]) for flags in raised.values())) == in_file


def test_every_reason_is_its_rules_sentence_filled_in(raised):
    for flags in raised.values():
        for code, reasons in flags.groupby("rule_code")["reason"]:
            # Duplicate findings come from the two files that number their journal entries (the others
            # hold no duplicates), so their reasons use the rule's entry sentence.
            pattern = _sentence_pattern(RULES[code].reason_for(entries=True))
            unfilled = [reason for reason in reasons if not pattern.fullmatch(reason)]
            assert unfilled == [], code


def test_flags_carry_the_catalogue_severity_or_one_level_from_it(raised):
    for flags in raised.values():
        for code, severities in flags.groupby("rule_code")["severity"]:
            rule = RULES[code]
            assert set(severities) <= {rule.severity_step(-1), rule.severity, rule.severity_step(1)}, code


@pytest.fixture(scope="module")
def skipped_with_every_column(generated: pd.DataFrame) -> dict[str, dict[str, str]]:
    return {stage: skipped_checks(run(generated)) for stage, run in STAGES.items()}


@pytest.mark.parametrize("column", sorted({c for r in RULES.values() for c in r.columns} - set(FLAGGING_COLUMNS)))
def test_a_rule_is_skipped_when_a_column_it_reads_is_missing(generated, skipped_with_every_column, column):
    without = generated.drop(columns=column)
    for stage, run in STAGES.items():
        readers = [r.code for r in rules_for(stage) if column in r.columns]
        if not readers:
            continue
        result = run(without)
        skipped = skipped_checks(result)
        for code in readers:
            assert skipped[code] == f"no {column} column", code
            assert flags_of(result, code).empty, code
            # With the column there, the rule is not skipped for want of a column.
            assert not skipped_with_every_column[stage].get(code, "").startswith("no "), code


def test_reasons_fill_slots_with_their_formats():
    rule = RULES["JUST_BELOW_LIMIT"]
    assert rule.slots() == {"amount", "below_pct", "which", "chance"}
    which = rule.fill_phrases(["common", "configured"], limit=[2500, 100_000], set_for=["", "this company"])
    assert rule.reasons(2, amount=[2450.0, 98_765.4], below_pct=[2.0, 1.23456], which=which, chance="") == [
        "Amount 2,450.00 is 2.0 % below a common approval limit of 2,500",
        "Amount 98,765.40 is 1.2 % below the approval limit of 100,000 set for this company",
    ]
    # A single value stands for every reason; a sentence without slots repeats.
    assert fill("{a} of {b:.1f}", 2, {"a": ["x", "y"], "b": 3}) == ["x of 3.0", "y of 3.0"]
    assert RULES["MISSING_DESCRIPTION"].reasons(2) == ["Description is empty", "Description is empty"]
    with pytest.raises(KeyError):
        rule.reasons(1, amount=[1.0], which=["x"])
    with pytest.raises(ValueError):
        rule.reasons(2, amount=[1.0], below_pct=[1.0, 2.0], which="x", chance="")


def test_phrases_are_chosen_case_by_case():
    rule = RULES["DUP_VENDOR_AMOUNT_NEAR_DATE"]
    gaps = [0, 1, 3]
    assert rule.fill_phrases(["same_day", "days_earlier", "days_earlier"], days=gaps, s=plural_s(gaps)) == [
        "on the same day",
        "1 day earlier",
        "3 days earlier",
    ]


def test_severity_steps_stay_within_the_scale():
    low = Rule("X", ANOMALY_DETECTION, "time", "low", "t", ("posting_date",), "r")
    assert (low.severity_step(-1), low.severity_step(1), low.severity_step(5)) == ("low", "medium", "high")
    assert RULES["DUP_VENDOR_AMOUNT_NEAR_DATE"].severity_step(-1) == "low"
    assert RULES["BACKDATED_ENTRY"].severity_step(1) == "high"
