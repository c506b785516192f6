"""Duplicate tests on files with journal entries: documents of entries are compared, not lines."""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.duplicates import run_duplicate_analysis
from fintrace_pipeline.analytics.duplicates.candidates import select_candidates
from fintrace_pipeline.analytics.duplicates.checks import expected_chance_pairs
from fintrace_pipeline.analytics.duplicates.options import DEFAULT_REVERSAL_PATTERN
from fintrace_pipeline_tests.analytics.duplicates.frames import ledger
from fintrace_pipeline_tests.analytics.flagged import flags_of

COLUMNS = ("posting_date", "amount", "je_number", "account", "vendor", "invoice_number", "description")
EXPENSE, AP, CASH = "6500", "2000", "1000"


def invoice(je, day, amount, vendor="Acme Ltd", number="4471", expense=EXPENSE, style="all", text="Software"):
    """An invoice entry: expense debit(s) and an AP credit. ``amount`` is a total or a list of expense
    lines; ``style`` says which lines carry vendor and invoice: "all", "ap", "expense" or "first" (the
    first expense line only)."""
    parts = amount if isinstance(amount, list) else [amount]
    total = round(sum(parts), 2)
    named, blank = (vendor, number), (None, None)
    rows = [
        (
            day,
            part,
            je,
            expense,
            *(named if style in ("all", "expense") or (style == "first" and i == 0) else blank),
            text,
        )
        for i, part in enumerate(parts)
    ]
    return [*rows, (day, -total, je, AP, *(named if style in ("all", "ap") else blank), text)]


def payment(je, day, amount, vendor="Acme Ltd", number="4471"):
    return [
        (day, amount, je, AP, vendor, number, "Supplier payment"),
        (day, -amount, je, CASH, vendor, number, "Supplier payment"),
    ]


def reversal(je, day, lines, text):
    """The lines of an entry with the sides swapped, as entry ``je``."""
    return [(day, -amount, je, account, vendor, number, text) for _, amount, _, account, vendor, number, _ in lines]


def run(*entries):
    frame = ledger([row for entry in entries for row in entry], COLUMNS)
    return frame, run_duplicate_analysis(frame)


def rows_of(frame: pd.DataFrame, je: str) -> list[int]:
    return frame.loc[frame["je_number"] == je, "row_number"].tolist()


def test_the_two_sides_of_one_entry_and_its_payment_are_never_duplicates():
    frame, result = run(
        invoice("JE-000120", "2025-03-03", 2310.0),
        payment("JE-000201", "2025-03-31", 2310.0),
        invoice("JE-000121", "2025-03-03", [700.0, 700.0], vendor="Beta GmbH", number="B-7"),  # two equal lines
    )
    assert result.flags.empty
    candidates = result.sections["risk_assessment"]["candidates"]
    assert (candidates["unit"], candidates["documents"], candidates["candidate_documents"]) == ("document", 3, 3)


def test_an_invoice_entered_twice_is_one_finding_on_every_line_of_the_second_entry():
    frame, result = run(
        invoice("JE-000120", "2025-03-03", 2310.0),
        payment("JE-000201", "2025-03-31", 2310.0),
        invoice("JE-000388", "2025-03-07", 2310.0),
    )
    exact = flags_of(result, "DUP_EXACT")
    assert exact["row_number"].tolist() == rows_of(frame, "JE-000388")
    assert set(exact["reason"]) == {
        "Invoice 4471 from Acme Ltd was entered twice: JE-000120 (posted 2025-03-03) and JE-000388 "
        "(posted 2025-03-07), 2,310.00 each"
    }
    assert exact["details"][0]["je_number"] == "JE-000388"
    assert exact["details"][0]["twin_je_number"] == "JE-000120"
    assert exact["details"][0]["twin_row_number"] == 1
    assert set(result.flags["rule_code"]) == {"DUP_EXACT"}
    test = result.sections["risk_assessment"]["tests"]["DUP_EXACT"]
    assert (test["groups"], test["lines_in_groups"], test["flagged_rows"], test["value_at_risk"]) == (1, 4, 2, 2310.0)
    group = result.sections["risk_assessment"]["top_groups"]["DUP_EXACT"][0]
    assert [(m["je_number"], m["amount"], m["lines"], m["flagged"]) for m in group["members"]] == [
        ("JE-000120", 2310.0, 2, False),
        ("JE-000388", 2310.0, 2, True),
    ]
    assert result.sections["risk_assessment"]["value_at_risk"] == 2310.0


def test_a_duplicate_invoice_is_found_whichever_lines_carry_the_vendor_and_invoice():
    split = [1200.0, 810.0, 300.0]
    styles = [("ap", "ap"), ("expense", "expense"), ("first", "first"), ("all", "ap"), ("first", "all")]
    for first_style, second_style in styles:
        frame, result = run(
            invoice("JE-1", "2025-05-02", split, style=first_style),
            invoice("JE-2", "2025-05-06", split, style=second_style),
        )
        exact = flags_of(result, "DUP_EXACT")
        assert exact["details"][0]["amount"] == 2310.0, (first_style, second_style)
        expected = [r for r in rows_of(frame, "JE-2") if pd.notna(frame.loc[r - 1, "vendor"])]
        assert exact["row_number"].tolist() == expected, (first_style, second_style)


def test_a_reversed_invoice_entered_again_is_not_a_duplicate():
    wrong = invoice("JE-10", "2025-06-02", 980.0, expense="6510")
    described = run(
        wrong, reversal("JE-11", "2025-06-04", wrong, "Reversal of JE-10"), invoice("JE-12", "2025-06-05", 980.0)
    )[1]
    assert described.flags.empty
    candidates = described.sections["risk_assessment"]["candidates"]
    assert (candidates["described_reversals_removed"], candidates["documents_reversed_by_description"]) == (1, 1)

    # Without a description, the swapped sides of the same accounts, vendor, invoice and amount tell.
    silent = run(wrong, reversal("JE-11", "2025-06-04", wrong, "Software"), invoice("JE-12", "2025-06-05", 980.0))[1]
    assert silent.flags.empty
    assert silent.sections["risk_assessment"]["candidates"]["offsetting_documents_removed"] == 2

    # "Storno" and "cancel" mark reversals too, and the entry a description names is the one reversed:
    # here the first of two equal invoices, so the third one repeats the second.
    for text in ("Storno JE-10", "Cancel JE-10"):
        frame, named = run(
            wrong,
            invoice("JE-11", "2025-06-03", 980.0, expense="6510"),
            reversal("JE-12", "2025-06-04", wrong, text),
            invoice("JE-13", "2025-06-05", 980.0, expense="6510"),
        )
        exact = flags_of(named, "DUP_EXACT")
        assert exact["row_number"].tolist() == rows_of(frame, "JE-13"), text
        assert exact["details"][0]["twin_je_number"] == "JE-11", text

    # Without the reversal the second entry is a duplicate (another expense account, same AP credit).
    frame, kept = run(wrong, invoice("JE-12", "2025-06-05", 980.0))
    assert flags_of(kept, "DUP_EXACT")["row_number"].tolist() == rows_of(frame, "JE-12")


def test_a_payment_made_twice_is_a_duplicate_but_not_of_the_invoice():
    frame, result = run(
        invoice("JE-1", "2025-02-03", 5120.4),
        payment("JE-2", "2025-03-03", 5120.4),
        payment("JE-3", "2025-03-05", 5120.4),
    )
    exact = flags_of(result, "DUP_EXACT")
    assert exact["row_number"].tolist() == rows_of(frame, "JE-3")
    assert exact["reason"][0].startswith("Invoice 4471 from Acme Ltd was entered twice: JE-2 (posted 2025-03-03)")


def test_other_duplicate_tests_name_the_entries():
    frame, result = run(
        invoice("JE-1", "2025-04-01", 1000.0, vendor="Beta GmbH", number="7781"),
        invoice("JE-2", "2025-04-20", 1250.0, vendor="Beta GmbH", number="7781"),
        invoice("JE-3", "2025-04-02", 300.0, vendor="Gamma Services", number="G-101"),
        invoice("JE-4", "2025-04-05", 300.0, vendor="Gamma Services", number="G-102"),
        invoice("JE-5", "2025-04-02", 560.0, vendor="Delta Inc", number="INV-0042"),
        invoice("JE-6", "2025-04-22", 560.0, vendor="Delta Inc", number="inv 42"),
        invoice("JE-7", "2025-04-10", 500.0, vendor="Acme Supplies Ltd", number="A-9"),
        invoice("JE-8", "2025-04-12", 500.0, vendor="ACME SUPPLIES LIMITED", number="A-9"),
    )
    reasons = {code: set(flags["reason"]) for code, flags in result.flags.groupby("rule_code")}
    assert reasons["DUP_INVOICE_AMOUNT_DIFF"] == {
        "Invoice 7781 from Beta GmbH was entered in JE-1 (posted 2025-04-01) for 1,000.00 and again in JE-2 "
        "(posted 2025-04-20) for 1,250.00"
    }
    assert reasons["DUP_VENDOR_AMOUNT_NEAR_DATE"] == {
        "Same vendor Gamma Services and amount 300.00 in JE-4 as in JE-3, posted 3 days earlier (2025-04-02), "
        "under a different invoice number (G-102 vs G-101)"
    }
    assert reasons["DUP_INVOICE_NORMALIZED"] == {
        "Invoice inv 42 from Delta Inc in JE-6 equals invoice INV-0042 in JE-5 (posted 2025-04-02) once case, "
        "spacing, punctuation and leading zeros are ignored; 560.00 each"
    }
    assert reasons["DUP_VENDOR_NAME_VARIANT"] == {
        "Invoice A-9 for 500.00 was entered under vendor ACME SUPPLIES LIMITED in JE-8 and under Acme Supplies Ltd "
        "in JE-7 (posted 2025-04-10; names equal once case, punctuation and legal forms are ignored)"
    }
    flagged_entries = set(frame["je_number"].to_numpy()[result.flags["row_number"].to_numpy() - 1])
    assert flagged_entries == {"JE-2", "JE-4", "JE-6", "JE-8"}
    near = result.sections["risk_assessment"]["tests"]["DUP_VENDOR_AMOUNT_NEAR_DATE"]
    assert near["severity"] == "medium" and near["chance"]["expected_by_chance"] < 1


def test_same_amount_on_one_day_is_compared_across_entries_only():
    lines = [
        ("2025-06-03", 5000.0, "JE-1", "6400", "Gamma Corp", "G-1", "Consulting"),
        ("2025-06-03", 5000.0, "JE-1", "6410", "Delta Inc", "D-9", "Legal"),  # same entry, other vendor
        ("2025-06-03", -10000.0, "JE-1", AP, None, None, "Consulting"),
    ]
    frame, result = run(lines)
    assert result.flags.empty
    frame, result = run(lines, invoice("JE-2", "2025-06-03", 5000.0, vendor="Zeta PLC", number="Z-1", expense="6400"))
    same = flags_of(result, "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR")
    assert same["row_number"].tolist() == rows_of(frame, "JE-2")
    assert same["reason"][0] == (
        "Same amount 5,000.00 on 2025-06-03 in JE-2 as in JE-1, under a different vendor (Zeta PLC vs Gamma Corp)"
    )


def test_chance_for_documents_counts_other_documents_posting_alike():
    # Two vendors each bill one amount twice a week apart... of which the payments are no coincidence.
    frame = ledger(
        [
            *invoice("JE-1", "2025-01-06", 40.0, vendor="Cafe", number="C-1"),
            *invoice("JE-2", "2025-01-07", 40.0, vendor="Cafe", number="C-2"),
            *payment("JE-3", "2025-01-08", 40.0, vendor="Cafe", number="C-1"),
            *invoice("JE-4", "2025-01-07", 55.0, vendor="Cafe", number="C-3"),
        ],
        COLUMNS,
    )
    candidates = select_candidates(frame, True, True, False, DEFAULT_REVERSAL_PATTERN, use_entries=True)
    # Invoices credit AP (three documents: 40, 40, 55); the payment stands alone. JE-2 has one earlier
    # invoice of the vendor in the window, and one of the two other invoices carries its amount; JE-4
    # has two earlier ones and none carries 55.
    assert expected_chance_pairs(candidates, 7) == 0.5


def test_single_line_entries_compare_by_side_and_lines_without_a_number_by_row():
    first = [("2025-07-01", 640.0, "P-1", "6200", "Omega Partners", "O-5", "Office supplies")]
    second = [("2025-07-03", 640.0, "P-2", "6300", "Omega Partners", "O-5", "Travel")]  # another account
    unnumbered = [("2025-07-08", 640.0, None, "6300", "Omega Partners", "O-5", "Travel")]
    frame, result = run(first, second, unnumbered)
    exact = flags_of(result, "DUP_EXACT")
    assert exact["row_number"].tolist() == [2, 3]
    assert exact["reason"][1] == (
        "Invoice O-5 from Omega Partners was entered 3 times: P-1 (posted 2025-07-01), P-2 (posted 2025-07-03) "
        "and row 3 (posted 2025-07-08), 640.00 each"
    )
    # A refund on the other side cancels the second one.
    refund = [("2025-07-04", -640.0, "P-3", "6300", "Omega Partners", "O-5", "Refund")]
    frame, result = run(first, second, refund, unnumbered)
    assert flags_of(result, "DUP_EXACT")["row_number"].tolist() == [4]
