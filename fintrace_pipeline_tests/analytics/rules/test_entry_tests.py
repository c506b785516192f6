"""Journal-entry tests: period ends, entries after the close, manual sources, suspicious keywords, and
amounts that end alike per vendor or user."""

from __future__ import annotations

import numpy as np

from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions, run_anomaly_detection
from fintrace_pipeline.analytics.rules.entry_tests import period_end_of
from fintrace_pipeline.analytics.suspicious_words import keywords_for
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.rules.frames import ledger


def test_period_end_entries_are_judged_per_entry():
    frame = ledger(
        posting_date=["2024-03-29", "2024-03-13", "2024-03-31", "2024-02-27", "2024-02-26"],
        je_number=["JE1", "JE1", "JE2", "JE3", "JE4"],
    )
    flags = flags_of(run_anomaly_detection(frame), "PERIOD_END_ENTRY")
    # JE1's first line is two days before the end of March: both its lines are flagged, carrying that line.
    assert flags["row_number"].tolist() == [1, 2, 3, 4]
    assert flags["reason"].tolist() == [
        "Posted 2024-03-29, 2 days before the period end 2024-03-31; journal entry JE1 (2 lines)",
        "Posted 2024-03-29, 2 days before the period end 2024-03-31; journal entry JE1 (2 lines)",
        "Posted 2024-03-31, on the period end 2024-03-31; journal entry JE2 (1 line)",
        "Posted 2024-02-27, 2 days before the period end 2024-02-29; journal entry JE3 (1 line)",
    ]
    assert flags["group_id"].tolist() == ["je:JE1", "je:JE1", "je:JE2", "je:JE3"]
    assert flags["severity"].unique().tolist() == ["low"]
    lines = flags_of(run_anomaly_detection(frame.drop(columns="je_number")), "PERIOD_END_ENTRY")
    assert lines["row_number"].tolist() == [1, 3, 4] and lines["reason"][0] == (
        "Posted 2024-03-29, 2 days before the period end 2024-03-31"
    )
    one_day = flags_of(run_anomaly_detection(frame, AnomalyDetectionOptions(period_end_days=1)), "PERIOD_END_ENTRY")
    assert one_day["row_number"].tolist() == [3]


def test_configured_period_ends():
    days = np.array(["2024-01-10", "2024-01-15", "2024-06-30", "2024-07-01"], dtype="datetime64[D]")
    ends = period_end_of(days, ("2024-06-30", "2024-01-15"))
    assert [str(d) for d in ends] == ["2024-01-15", "2024-01-15", "2024-06-30", "NaT"]
    frame = ledger(posting_date=["2024-01-14", "2024-01-29", "2024-06-30"])
    options = AnomalyDetectionOptions(period_ends=("2024-01-15", "2024-06-30"))
    flags = flags_of(run_anomaly_detection(frame, options), "PERIOD_END_ENTRY")
    assert flags["row_number"].tolist() == [1, 3]


def test_entries_keyed_in_after_the_close():
    frame = ledger(
        posting_date=["2024-03-28", "2024-03-28", "2024-03-30", "2024-04-06"],
        entry_date=["2024-04-09", "2024-04-09", "2024-04-05", "2024-04-08"],
    )
    assert skipped_checks(run_anomaly_detection(frame))["POST_CLOSE_ENTRY"] == (
        "the period close date is not set (option period_close_date)"
    )
    result = run_anomaly_detection(frame, AnomalyDetectionOptions(period_close_date="2024-04-05"))
    flags = flags_of(result, "POST_CLOSE_ENTRY")
    # Row 3 was keyed in on the close date itself, row 4 posted into the next period.
    assert flags["row_number"].tolist() == [1, 2]
    assert flags["severity"].tolist() == ["high", "high"]
    assert flags["reason"][0] == (
        "Entered 2024-04-09, after the period ending 2024-03-31 was closed on 2024-04-05, "
        "yet posted into it (2024-03-28)"
    )
    assert flags["details"][0]["days_after_close"] == 4
    own_end = AnomalyDetectionOptions(period_close_date="2024-04-05", closed_period_end="2024-03-29")
    assert flags_of(run_anomaly_detection(frame, own_end), "POST_CLOSE_ENTRY")["row_number"].tolist() == [1, 2]
    assert skipped_checks(run_anomaly_detection(frame.drop(columns="entry_date"), own_end))["POST_CLOSE_ENTRY"] == (
        "no entry_date column"
    )


def test_manual_sources_match_whole_words_in_any_case():
    frame = ledger(
        source=["Manual JE", "SPREADSHEET upload", "AP interface", "manually keyed", "je", None],
        je_number=["A", "B", "B", "C", "D", "E"],
    )
    flags = flags_of(run_anomaly_detection(frame), "MANUAL_ENTRY")
    assert flags["row_number"].tolist() == [1, 2, 3, 5]
    assert flags["reason"].tolist() == [
        "Source Manual JE is a manual source (“manual”); journal entry A (1 line)",
        "Source SPREADSHEET upload is a manual source (“spreadsheet”); journal entry B (2 lines)",
        "Source SPREADSHEET upload is a manual source (“spreadsheet”); journal entry B (2 lines)",
        "Source je is a manual source (“je”); journal entry D (1 line)",
    ]
    configured = AnomalyDetectionOptions(manual_sources=("manually keyed",))
    assert flags_of(run_anomaly_detection(frame, configured), "MANUAL_ENTRY")["row_number"].tolist() == [4]


def test_suspicious_keywords_in_english_and_the_files_language():
    descriptions = [
        "Office rent",
        "Korrekturbuchung lt. GF",
        "Adjustment per CFO",
        "Write-off old stock",
        "Régularisation",
    ]
    frame = ledger(description=descriptions)
    english = flags_of(run_anomaly_detection(frame), "SUSPICIOUS_KEYWORD")
    assert english["row_number"].tolist() == [3, 4]
    assert english["reason"].tolist() == [
        "Description “Adjustment per CFO” holds the keyword “adjustment”",
        "Description “Write-off old stock” holds the keyword “write-off”",
    ]
    german = flags_of(run_anomaly_detection(frame, AnomalyDetectionOptions(country="DE")), "SUSPICIOUS_KEYWORD")
    assert german["row_number"].tolist() == [2, 3, 4]
    assert german["details"][0]["keyword"] == "korrekturbuchung"
    french = AnomalyDetectionOptions(keyword_language="fr")
    assert flags_of(run_anomaly_detection(frame, french), "SUSPICIOUS_KEYWORD")["row_number"].tolist() == [3, 4, 5]
    own = AnomalyDetectionOptions(suspicious_keywords=("rent",))
    assert flags_of(run_anomaly_detection(frame, own), "SUSPICIOUS_KEYWORD")["row_number"].tolist() == [1]
    assert (
        "write off" in keywords_for(None)
        and "korrektur*" in keywords_for("de")
        and "korrektur*" not in keywords_for("en_US")
    )


def test_a_user_whose_amounts_end_alike():
    rng = np.random.default_rng(3)
    others = np.round(rng.uniform(100, 5000, 400), 2)
    ann = np.floor(rng.uniform(100, 5000, 30)) + 0.37
    amounts = np.concatenate([others, ann])
    users = ["bob", "cy", "dee", "eve"] * 100 + ["ann"] * 30
    result = run_anomaly_detection(ledger(amount=amounts, user=users))
    flags = flags_of(result, "ENDING_DIGITS_HABIT")
    assert flags["row_number"].tolist() == list(range(401, 431))
    others_37 = int((np.rint(others * 100) % 100 == 37).sum())
    expected_pct = others_37 / 400 * 100
    assert flags["reason"][0].startswith(
        f"Amount {ann[0]:,.2f} has cents .37, as do 30 of user ann's 30 amounts (100 % vs "
    )
    assert f"vs {expected_pct:.1f} % of the other amounts" in flags["reason"][0]
    stats = result.sections["risk_assessment"]["checks"]["ending_digits_by_user"]
    assert stats["basis"] == "cents" and stats["groups_tested"] == 5 and stats["groups_flagged"] == 1
    assert skipped_checks(result)["ending_digits_by_vendor"] == "no vendor column"
