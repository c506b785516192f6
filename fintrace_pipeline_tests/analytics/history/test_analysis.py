"""The comparison with a source's earlier files, as a pure function: each cross-file case found with its
code and its numbers, and nothing said where the history gives no reason."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.analytics.history import HistoryOptions, file_contribution, run_history_comparison
from fintrace_pipeline.generate.monthly import generate_monthly_files
from fintrace_pipeline.rules import PERIOD_COMPARISON, RULES, rules_for
from fintrace_pipeline_tests.analytics.history.frames import history_of, numbered


def month(m: int, lines: list[tuple] | None = None, year: int = 2024) -> pd.DataFrame:
    """Three steady vendors, three invoices each, by ann on 6000; then ``lines``
    (day, amount, vendor, invoice, user, account)."""
    rows = [
        (d, 100.0 + d, v, f"{v[:2]}-{m}{d}", "ann", "6000")
        for v in ("Acme Ltd", "Beta GmbH", "Gamma")
        for d in (3, 10, 17)
    ]
    rows += lines or []
    return numbered(
        pd.DataFrame(
            [
                {
                    "posting_date": f"{year}-{m:02d}-{d:02d}",
                    "amount": a,
                    "vendor": v,
                    "invoice_number": i,
                    "user": u,
                    "account": acc,
                }
                for d, a, v, i, u, acc in rows
            ]
        )
    )


@pytest.fixture(scope="module")
def earlier() -> list[pd.DataFrame]:
    return [month(m) for m in range(1, 6)]


def flags_for(result, code: str) -> pd.DataFrame:
    return result.flags[result.flags["rule_code"] == code]


def test_the_first_file_of_a_source_starts_its_history_and_flags_nothing():
    result = run_history_comparison(month(1))
    assert result.status == "COMPLETED"
    assert result.flags.empty
    assert result.error_message == "no earlier file of source 'default' to compare with: this file starts its history"
    assert result.sections["temporal_patterns"]["file_months"] == [{"month": "2024-01", "rows": 9, "total": 990.0}]


def test_new_vendor_user_and_pairs_and_an_invoice_of_an_earlier_file(earlier):
    current = month(
        6,
        [
            (20, 9_000.0, "Acme Ltd", "X1", "bob", "7000"),  # new user; known vendor on a new account
            (21, 103.0, "ACME LIMITED", "AC 0053", "ann", "6000"),  # m5's invoice Ac-53, spelt otherwise
            (22, 5_000.0, "Newco", "N1", "ann", "7000"),  # new vendor; ann on a new account
        ],
    )
    result = run_history_comparison(current, None, history_of(earlier))
    new_vendor = flags_for(result, "HIST_NEW_VENDOR")
    assert new_vendor["row_number"].tolist() == [12]
    # 5,000 is above the 90th percentile of the earlier vendor-months (330): one level up.
    assert new_vendor["severity"].tolist() == ["medium"]
    assert new_vendor["reason"].iloc[0] == (
        "Vendor Newco appears for the first time: none of the 5 earlier files of the source (from 2024-01-03) "
        "has it; here 1 line for 5,000.00"
    )
    assert flags_for(result, "HIST_NEW_USER")["row_number"].tolist() == [10]
    # bob is new, so his account is not a new pair of a known user; ann's 7000 is.
    new_pair = flags_for(result, "HIST_NEW_USER_ACCOUNT")
    assert new_pair["row_number"].tolist() == [12]
    assert new_pair["reason"].iloc[0] == "User ann, known since 2024-01-03, posts to account 7000 for the first time"
    # Acme on 7000 is new; Newco is not a known vendor, so its account is no new pair.
    assert flags_for(result, "HIST_NEW_VENDOR_ACCOUNT")["row_number"].tolist() == [10]
    duplicate = flags_for(result, "HIST_DUP_INVOICE")
    assert duplicate["row_number"].tolist() == [11]
    assert duplicate["reason"].iloc[0] == (
        "Vendor ACME LIMITED's invoice AC 0053 (103.00) was already booked in m5.csv, row 1 on 2024-05-03 (103.00)"
    )
    assert duplicate["details"].iloc[0]["earlier_file_id"] == "f5"
    listing = result.sections["risk_assessment"]
    assert listing["new_vendors"] == [
        {"vendor": "Newco", "lines": 1, "total": 5000.0, "first": "2024-06-22", "large": True}
    ]
    assert [d["row_number"] for d in listing["cross_file_duplicates"]] == [11]


def test_spend_against_its_own_history_uses_median_and_mad():
    # Acme's earlier months: 330, 360, 390, 420, 450 -> median 390, MAD 30, sigma 44.478.
    earlier = [month(m, [(25, 30.0 * (m - 1), "Acme Ltd", f"E{m}", "ann", "6000")]) for m in range(1, 6)]
    current = month(6, [(25, 1_200.0, "Acme Ltd", "BIG", "ann", "6000")])
    result = run_history_comparison(current, HistoryOptions(history_spend_rows_flagged=2), history_of(earlier))
    shift = flags_for(result, "HIST_SPEND_SHIFT")
    acme = shift[shift["details"].map(lambda d: d["kind"] == "vendor")]
    total = 330.0 + 1_200.0
    z = (total - 390.0) / (1.4826 * 30.0)
    assert acme["row_number"].tolist() == [3, 10]  # its two largest lines of the month: 117 and 1,200
    assert acme["details"].iloc[0]["z"] == round(z, 2)
    assert acme["severity"].iloc[0] == "high"  # z is more than twice the threshold
    assert acme["reason"].iloc[0] == (
        f"Line of 117.00 in vendor Acme Ltd's 2024-06, which totals 1,530.00: {total / 390:,.1f}× its usual "
        f"month of 390.00 over 5 earlier months (robust z {z:.1f}, median and MAD)"
    )
    # Beta and Gamma spend as always: no finding, and listed with z 0 among the changes.
    named = {(c["kind"], c["name"]): c for c in result.sections["risk_assessment"]["spend_changes"]}
    assert named[("vendor", "Beta GmbH")]["z"] == 0.0
    assert [h["total"] for h in named[("vendor", "Acme Ltd")]["history"]] == [330.0, 360.0, 390.0, 420.0, 450.0]


def test_a_month_within_its_usual_spread_is_not_a_shift():
    earlier = [month(m, [(25, 100.0 * (m % 3), "Acme Ltd", f"E{m}", "ann", "6000")]) for m in range(1, 6)]
    current = month(6, [(25, 200.0, "Acme Ltd", "E6", "ann", "6000")])
    result = run_history_comparison(current, None, history_of(earlier))
    assert flags_for(result, "HIST_SPEND_SHIFT").empty


def test_same_vendor_and_amount_days_apart_across_files_unless_invoices_differ():
    earlier = [month(m, [(28, 777.0, "Delta", None, "ann", "6000")]) for m in (1, 2, 3, 4, 5)]
    current = month(6, [(2, 777.0, "Delta", None, "ann", "6000"), (3, 103.0, "Acme Ltd", "OTHER", "ann", "6000")])
    result = run_history_comparison(current, None, history_of(earlier))
    found = flags_for(result, "HIST_DUP_VENDOR_AMOUNT")
    # Delta's 777 on 2 June is 5 days after m5's on 28 May; Acme's 103 has another invoice than m5's.
    assert found["row_number"].tolist() == [10]
    assert found["reason"].iloc[0] == (
        "Vendor Delta, amount 777.00 on 2024-06-02: the same as row 10 of m5.csv on 2024-05-28, 5 days apart"
    )
    narrower = run_history_comparison(current, HistoryOptions(history_duplicate_days=4), history_of(earlier))
    assert flags_for(narrower, "HIST_DUP_VENDOR_AMOUNT").empty


def test_a_vendor_back_after_its_dormant_months(earlier):
    history = history_of([month(1, [(5, 50.0, "Sleepy", "S1", "ann", "6000")]), *earlier[1:]])
    # Last seen in January, back in August: silent February to July, six months.
    current = month(8, [(4, 50.0, "Sleepy", "S2", "ann", "6000")])
    result = run_history_comparison(current, None, history)
    back = flags_for(result, "HIST_VENDOR_REACTIVATED")
    assert back["row_number"].tolist() == [10]
    assert back["reason"].iloc[0] == (
        "Vendor Sleepy was silent for 6 months (last seen 2024-01-05) and is paid again from 2024-08-04: "
        "1 line for 50.00"
    )
    assert (
        run_history_comparison(current, HistoryOptions(dormant_months=7), history)
        .flags.query("rule_code == 'HIST_VENDOR_REACTIVATED'")
        .empty
    )


def test_the_generated_months_find_each_injected_case_with_its_code():
    generated = generate_monthly_files(lines_per_month=80, seed=4)
    frames = [numbered(f) for f in generated.files]
    for number, cases in generated.cases.groupby("month"):
        result = run_history_comparison(frames[number - 1], None, history_of(frames[: number - 1]))
        for case in cases.itertuples():
            codes = set(result.flags.loc[result.flags["row_number"] == case.row_number, "rule_code"])
            assert case.rule_code in codes, case
    # The steady months raise no new-vendor, reactivation or duplicate finding.
    quiet = run_history_comparison(frames[5], None, history_of(frames[:5]))
    assert not set(quiet.flags["rule_code"]) & {"HIST_NEW_VENDOR", "HIST_VENDOR_REACTIVATED", "HIST_DUP_INVOICE"}


def test_rules_are_skipped_for_the_columns_a_file_lacks(earlier):
    current = month(6).drop(columns=["user", "invoice_number"])
    result = run_history_comparison(current, None, history_of(earlier))
    skipped = {s["check"]: s["reason"] for s in result.skipped}
    assert skipped == {
        "HIST_NEW_USER": "no user column",
        "HIST_NEW_USER_ACCOUNT": "no user column",
        "HIST_DUP_INVOICE": "no invoice_number column",
    }


def test_the_file_months_beside_the_earlier_months(earlier):
    result = run_history_comparison(month(6), None, history_of(earlier))
    months = result.sections["temporal_patterns"]
    assert [m["month"] for m in months["earlier_months"]] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert months["earlier_months"][0] == {"month": "2024-01", "rows": 9, "total": 990.0}
    assert months["file_months"] == [{"month": "2024-06", "rows": 9, "total": 990.0}]


def _sentence(pattern: str) -> re.Pattern[str]:
    parts = [
        re.escape(lit) + ("(.*)" if name is not None else "") for lit, name, _, _ in string.Formatter().parse(pattern)
    ]
    return re.compile("".join(parts), re.S)


def test_every_rule_of_the_stage_is_raised_with_its_sentence_and_severity():
    earlier = [month(m, [(28, 777.0, "Delta", None, "ann", "6000")]) for m in range(1, 6)]
    earlier[0] = month(1, [(28, 777.0, "Delta", None, "ann", "6000"), (5, 50.0, "Sleepy", "S1", "ann", "6000")])
    current = month(
        8,
        [
            (2, 777.0, "Delta", None, "ann", "6000"),
            (4, 50.0, "Sleepy", "S2", "ann", "6000"),
            (20, 9_000.0, "Acme Ltd", "X1", "bob", "7000"),
            (21, 103.0, "Acme Ltd", "Ac-53", "ann", "7100"),
            (22, 5_000.0, "Newco", "N1", "ann", "7000"),
        ],
    )
    # Delta's 777 of 28 May and 2 August are far apart: allow 70 days.
    result = run_history_comparison(current, HistoryOptions(history_duplicate_days=70), history_of(earlier))
    raised = set(result.flags["rule_code"])
    assert raised == {r.code for r in rules_for(PERIOD_COMPARISON)}
    for code, reasons in result.flags.groupby("rule_code")["reason"]:
        pattern = _sentence(RULES[code].reason)
        assert all(pattern.fullmatch(r) for r in reasons), code
    for code, severities in result.flags.groupby("rule_code")["severity"]:
        rule = RULES[code]
        assert set(severities) <= {rule.severity_step(-1), rule.severity, rule.severity_step(1)}, code
    assert np.all(result.flags["row_number"].isin(current["row_number"]))
    assert result.summary["duplicates_found"] == 2


def test_contribution_keys_vendors_as_the_duplicate_tests_normalise_them():
    frame = month(1, [(20, 10.0, "ACME LIMITED", "A-1", "ann", "6000")])
    monthly = file_contribution(frame).monthly
    acme = monthly[(monthly["kind"] == "vendor") & (monthly["key"] == "ACME")]
    assert acme[["rows", "total"]].to_dict("records") == [{"rows": 4, "total": 340.0}]
    pair = monthly[(monthly["kind"] == "vendor_account") & (monthly["key"] == "ACME → 6000")]
    assert pair["rows"].tolist() == [4]
