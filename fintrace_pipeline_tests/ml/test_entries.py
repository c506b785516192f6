"""Journal-entry scores on hand-made ledgers: what outranks what, what the reasons say, and the totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.findings import ENTRY_SCORE_COLUMNS, LIST_SEPARATOR
from fintrace_pipeline.ml.entries import score_entries
from fintrace_pipeline.ml.entry_reasons import finding_phrase, lower_first

PLAIN_ENTRIES = 80


class Ledger:
    """Two-line entries (expense debit, accounts-payable credit) numbered JE-0001..., with their
    findings and line scores built up by the test."""

    def __init__(self, entries: int = PLAIN_ENTRIES, lines_per_entry: int = 2):
        rows = []
        for entry in range(entries):
            amount = 100.0 + 7.0 * entry
            for line in range(lines_per_entry):
                rows.append(
                    {
                        "row_number": len(rows) + 1,
                        "je_number": f"JE-{entry + 1:04d}",
                        "posting_date": pd.Timestamp("2025-03-03") + pd.Timedelta(days=entry % 20),
                        "amount": amount if line < lines_per_entry - 1 else -amount * (lines_per_entry - 1),
                        "transaction_id": f"T{len(rows) + 1}",
                    }
                )
        self.lines = pd.DataFrame(rows)
        self.flags: list[dict] = []
        # Ordinary line risks spread over 0-90, the same pattern in every entry.
        self.risk = pd.Series(np.linspace(0.0, 90.0, len(rows)), index=self.lines["row_number"])
        self.line_reasons: dict[int, tuple[str, str]] = {}

    def rows_of(self, je_number: str) -> list[int]:
        return self.lines.loc[self.lines["je_number"] == je_number, "row_number"].tolist()

    def flag(self, rows, code: str, severity: str, reason: str, details=None, group_id=None) -> None:
        for row in [rows] if isinstance(rows, int) else rows:
            self.flags.append(
                {
                    "row_number": row,
                    "rule_code": code,
                    "severity": severity,
                    "reason": reason,
                    "details": details or {},
                    "group_id": group_id,
                }
            )

    def scores(self) -> pd.DataFrame:
        reasons = [self.line_reasons.get(r, ("", "")) for r in self.lines["row_number"]]
        return pd.DataFrame(
            {
                "row_number": self.lines["row_number"],
                "transaction_id": self.lines["transaction_id"],
                "risk_score": self.risk.to_numpy(),
                "reasons": [r[0] for r in reasons],
                "reason_text": [r[1] for r in reasons],
            }
        )

    def score(self) -> pd.DataFrame:
        flags = pd.DataFrame(self.flags) if self.flags else None
        entries = score_entries(self.lines, flags, self.scores())
        assert entries is not None
        return entries.set_index("je_number")


def rank(entries: pd.DataFrame, je_number: str) -> int:
    return list(entries.index).index(je_number)


def phrases(text: str) -> list[str]:
    return text.split(LIST_SEPARATOR)


def test_an_injected_like_entry_outranks_every_plain_one_even_when_its_cash_line_scores_higher():
    ledger = Ledger()
    expense, cash = ledger.rows_of("JE-0031")
    ledger.flag([expense, cash], "SELF_APPROVED", "high", "Posted by jdoe and approved by jdoe: the same person",
                {"user": "jdoe", "approver": "jdoe"})  # fmt: skip
    # The models rank the entry's cash-side line above its expense line; the entry is one unit.
    ledger.risk[cash], ledger.risk[expense] = 99.5, 60.0
    entries = ledger.score()
    assert entries.index[0] == "JE-0031"
    assert entries.loc["JE-0031", "risk_score"] == 100.0
    assert entries.loc["JE-0031", "rule_codes"] == "SELF_APPROVED"
    assert phrases(entries.loc["JE-0031", "reason_text"]) == ["2 lines", "posted and approved by jdoe"]
    assert (entries.drop("JE-0031")["reason_text"] == "").all()


def test_a_finding_shared_by_the_lines_of_an_entry_counts_once():
    ledger = Ledger()
    ledger.flag(ledger.rows_of("JE-0010"), "BACKDATED_ENTRY", "medium", "Entered 2025-05-01, 59 days after ...")
    ledger.flag(ledger.rows_of("JE-0020")[:1], "BACKDATED_ENTRY", "medium", "Entered 2025-05-01, 59 days after ...")
    # The same line risks in both entries, so only the findings could tell them apart.
    for je in ("JE-0010", "JE-0020"):
        ledger.risk[ledger.rows_of(je)] = [50.0, 40.0]
    entries = ledger.score()
    assert entries.loc["JE-0010", "risk_score"] == entries.loc["JE-0020", "risk_score"]
    assert phrases(entries.loc["JE-0010", "reason_text"]) == ["2 lines", "entered 2025-05-01, 59 days after ..."]


def test_many_low_findings_do_not_add_up_to_one_medium_finding():
    ledger = Ledger()
    context = ledger.rows_of("JE-0005")
    for code, reason in [
        ("WEEKEND_POSTING", "Posted on a Saturday (2025-03-08)"),
        ("AFTER_HOURS", "Keyed in at 23:10 on 2025-03-08, outside business hours 07:00–20:00"),
        ("ROUND_AMOUNT", "Amount 5,000.00 is an exact multiple of 1,000"),
        ("MISSING_DESCRIPTION", "Description is empty"),
        ("JE_NUMBER_GAP", "Journal entry JE-0005 follows JE-0003: 1 number missing (JE-0004)"),
    ]:
        ledger.flag(context, code, "low", reason)
    ledger.flag(ledger.rows_of("JE-0006")[0], "UNUSUAL_USER_ACCOUNT", "medium", "User kperez posted 1 of 700 lines")
    for je in ("JE-0005", "JE-0006"):
        ledger.risk[ledger.rows_of(je)] = [50.0, 50.0]
    entries = ledger.score()
    assert rank(entries, "JE-0006") < rank(entries, "JE-0005")
    # Every one of them is still said, strongest first, each once; four at most.
    said = phrases(entries.loc["JE-0005", "reason_text"])
    assert said[0] == "2 lines" and len(said) == 5 and len(set(said)) == 5
    assert len(entries.loc["JE-0005", "rule_codes"].split(LIST_SEPARATOR)) == 5


def test_a_rule_that_fires_on_a_large_share_of_entries_weighs_less_than_a_rare_one():
    ledger = Ledger()
    common = [f"JE-{i:04d}" for i in range(41, 81)]  # half the file's entries
    for je in common:
        ledger.flag(ledger.rows_of(je)[0], "JUST_BELOW_LIMIT", "medium", "Amount 9,950.00 is 0.5 % below ...")
    ledger.flag(ledger.rows_of("JE-0007")[0], "USER_AMOUNT_OUTLIER", "medium", "Amount 50,000.00 is 40.0× ...")
    for je in ("JE-0007", "JE-0050"):
        ledger.risk[ledger.rows_of(je)] = [50.0, 50.0]
    entries = ledger.score()
    assert rank(entries, "JE-0007") < rank(entries, "JE-0050")


def test_a_long_entry_is_not_riskier_for_having_more_lines():
    short, long_ = Ledger(entries=40, lines_per_entry=2), Ledger(entries=40, lines_per_entry=6)
    lines = pd.concat([short.lines, long_.lines.assign(je_number="L" + long_.lines["je_number"],
                                                      row_number=long_.lines["row_number"] + 1000)])  # fmt: skip
    risk = pd.Series(10.0, index=lines["row_number"].to_numpy())
    risk[short.rows_of("JE-0003")[0]] = 95.0
    risk[1000 + long_.rows_of("JE-0003")[0]] = 95.0
    scores = pd.DataFrame({"row_number": risk.index, "risk_score": risk.to_numpy(), "reasons": "", "reason_text": ""})
    entries = score_entries(lines, None, scores).set_index("je_number")
    assert entries.loc["JE-0003", "risk_score"] > entries.loc["LJE-0003", "risk_score"]
    assert entries.index[0] == "JE-0003"


def test_both_entries_of_a_duplicate_invoice_carry_it_and_name_each_other():
    ledger = Ledger()
    original, copy = ledger.rows_of("JE-0012")[0], ledger.rows_of("JE-0044")[0]
    details = {"twin_row_number": original, "vendor": "Acme Ltd", "invoice_number": "4471", "amount": 1234.5}
    ledger.flag(copy, "DUP_EXACT", "high", "Same vendor Acme Ltd, invoice 4471 and amount 1,234.50 as row 23",
                details, group_id="DUP_EXACT-000001")  # fmt: skip
    entries = ledger.score()
    said = "invoice 4471 from Acme Ltd for 1,234.50 entered twice (JE-0012, JE-0044)"
    for je in ("JE-0012", "JE-0044"):
        assert entries.loc[je, "rule_codes"] == entries.loc[je, "reasons"] == "DUP_EXACT"
        assert phrases(entries.loc[je, "reason_text"]) == ["2 lines", said]
    assert set(entries.index[:2]) == {"JE-0012", "JE-0044"}


def test_the_models_reason_names_its_line_and_leaves_out_what_the_rules_said():
    ledger = Ledger()
    row = ledger.rows_of("JE-0033")[0]
    near_date = "Same vendor Acme and amount 10.00 as row 3 posted on the same day; the file has about as many"
    ledger.flag(
        row, "DUP_VENDOR_AMOUNT_NEAR_DATE", "low", near_date, {"twin_row_number": 1}, "DUP_VENDOR_AMOUNT_NEAR_DATE-1"
    )
    ledger.risk[row] = 99.9
    ledger.line_reasons[row] = (
        "DUP_VENDOR_AMOUNT_NEAR_DATE; AMOUNT_VS_ACCOUNT",
        f"{near_date}; Amount 43.1× account 6500's median (1935.86)",
    )
    entries = ledger.score()
    assert set(entries.loc["JE-0033", "reasons"].split(LIST_SEPARATOR)) == {
        "AMOUNT_VS_ACCOUNT",
        "DUP_VENDOR_AMOUNT_NEAR_DATE",
    }
    text = entries.loc["JE-0033", "reason_text"]
    assert text.startswith("2 lines; ")
    assert f"row {row}: amount 43.1× account 6500's median (1935.86)" in text
    # A test graded below its usual severity keeps its own sentence, which says why; said once.
    assert text.count(lower_first(near_date)) == 1 and "Same vendor" not in text
    # The twin (row 1, entry JE-0001) takes part in the pair as well.
    assert entries.loc["JE-0001", "rule_codes"] == "DUP_VENDOR_AMOUNT_NEAR_DATE"


DATES = ["2025-01-03", "2025-01-02", "2025-01-02", "2025-01-03", "2025-01-05", "2025-01-02"]


def test_totals_size_first_row_and_date_of_each_entry():
    lines = pd.DataFrame(
        {
            "row_number": [1, 2, 3, 4, 5, 6],
            "je_number": ["A-1", "B-7", "A-1", " A-1 ", None, "B-7"],
            "posting_date": pd.to_datetime(DATES),
            "amount": [500.0, 20.0, 250.0, -750.0, 99.0, -20.0],
        }
    )  # fmt: skip
    scores = pd.DataFrame(
        {"row_number": range(1, 7), "risk_score": [1.0, 2, 3, 4, 5, 6], "reasons": "", "reason_text": ""}
    )
    entries = score_entries(lines, None, scores)
    assert list(entries.columns) == list(ENTRY_SCORE_COLUMNS)
    by_number = entries.set_index("je_number")
    assert set(by_number.index) == {"A-1", "B-7"}  # the line without an entry number belongs to none
    assert by_number.loc["A-1", ["line_count", "first_row_number", "debit_total", "credit_total"]].tolist() == [
        3,
        1,
        750.0,
        750.0,
    ]
    assert by_number.loc["B-7", ["line_count", "first_row_number", "debit_total", "credit_total"]].tolist() == [
        2,
        2,
        20.0,
        20.0,
    ]
    assert by_number.loc["A-1", "posting_date"] == pd.Timestamp("2025-01-02")
    assert sorted(entries["risk_score"]) == [0.0, 100.0]  # percentiles among the file's entries


@pytest.mark.parametrize("column", [None, "blank"])
def test_a_file_without_entry_numbers_has_no_entries(column):
    lines = pd.DataFrame(
        {"row_number": [1, 2], "posting_date": pd.to_datetime(["2025-01-02"] * 2), "amount": [5.0, -5.0]}
    )
    if column == "blank":
        lines["je_number"] = ["", None]
    scores = pd.DataFrame({"row_number": [1, 2], "risk_score": [1.0, 2.0], "reasons": "", "reason_text": ""})
    assert score_entries(lines, None, scores) is None


def test_a_phrase_with_its_facts_missing_falls_back_to_the_stored_sentence():
    assert finding_phrase("SELF_APPROVED", "high", {}, "Posted by a and approved by a: the same person", []) == (
        "posted by a and approved by a: the same person"
    )
    # A duplicate whose group lies in one entry: no pair of entries to name.
    stored = "Same vendor Acme, invoice 9 and amount 5.00 as row 2 (posted 2025-01-02)"
    details = {"vendor": "Acme", "invoice_number": "9", "amount": 5.0}
    assert finding_phrase("DUP_EXACT", "high", details, stored, ["JE-1"]) == lower_first(stored)
    assert finding_phrase("NEW_RULE", "low", None, None, []) == "NEW_RULE"
    assert lower_first("JE-0005 follows") == "JE-0005 follows" and lower_first("Amount 5") == "amount 5"
