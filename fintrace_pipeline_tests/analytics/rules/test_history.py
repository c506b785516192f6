from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline.analytics.rules.vendor_documents import vendor_documents
from fintrace_pipeline_tests.analytics.flagged import flags_of
from fintrace_pipeline_tests.analytics.rules.frames import BURST_DAY, SHIFT_DAYS, history_ledger, ledger


def _days(frame: pd.DataFrame, rows) -> pd.Series:
    return frame.set_index("row_number").loc[list(rows), "posting_date"]


def test_a_week_in_which_a_vendor_bills_far_more_than_usual_flags_its_documents_that_week():
    frame = history_ledger(shift=False)
    result = run_anomaly_detection(frame)
    spikes = flags_of(result, "VENDOR_VOLUME_SPIKE")
    week = pd.bdate_range("2024-01-01", periods=130)[BURST_DAY : BURST_DAY + 5]
    that_week = frame[(frame["vendor"] == "Supplier 07") & frame["posting_date"].isin(week)]
    # Every line of the vendor that week, the twelve extra invoices and its five usual ones, and nothing else.
    assert set(spikes["row_number"]) == set(that_week["row_number"])
    assert len(that_week) == 17
    assert spikes["reason"][0] == (
        "Vendor Supplier 07 has 17 new lines in the week of 2024-05-20, where its share of the other weeks "
        "predicts 4.1 (Poisson p 1.4e-06 across 198 vendor-weeks)"
    )
    assert spikes["severity"].eq("medium").all()
    stats = result.sections["risk_assessment"]["checks"]["VENDOR_VOLUME_SPIKE"]
    assert (stats["vendor_weeks_tested"], stats["vendor_weeks_flagged"]) == (198, 1)


def test_a_users_amounts_risen_for_a_fortnight_flag_those_lines_and_the_payment_of_one():
    frame = history_ledger(burst=False)
    shifts = flags_of(run_anomaly_detection(frame), "USER_AMOUNT_SHIFT")
    days = pd.bdate_range("2024-01-01", periods=130)
    risen = frame[(frame["user"] == "ann") & frame["posting_date"].isin(days[list(SHIFT_DAYS)])]
    own = shifts[shifts["reason"].str.startswith("Amount ")]
    # All of ann's lines of the fortnight, and at most the business day either side of it.
    assert set(risen["row_number"]) <= set(own["row_number"])
    assert _days(frame, own["row_number"]).between(days[SHIFT_DAYS[0] - 1], days[SHIFT_DAYS[-1] + 1]).all()
    assert set(frame.set_index("row_number").loc[own["row_number"], "user"]) == {"ann"}
    first = own.iloc[0]
    assert first["reason"].endswith(
        "user ann's 22 debits to account 6200 from 2024-03-22 to 2024-04-05 average 2.1× their usual size "
        "(z 6.7; all the user's lines then 2.1×)"
    )
    assert first["details"]["usual_amount"] == 560.35
    # The payment of ann's first risen invoice, keyed by someone else three weeks later, says what it pays.
    paying = shifts[shifts["reason"].str.startswith("Pays ")]
    assert paying["row_number"].tolist() == [int(frame["row_number"].iloc[-1])]
    source = int(risen["row_number"].iloc[0])
    assert paying["reason"].iloc[0].startswith(
        f"Pays {frame['amount'].iloc[-1]:,.2f} to {frame['vendor'].iloc[-1]} for row {source} (posted 2024-03-25); "
    )


def test_an_ordinary_ledger_has_no_history_findings():
    result = run_anomaly_detection(history_ledger(shift=False, burst=False))
    assert flags_of(result, "VENDOR_VOLUME_SPIKE").empty and flags_of(result, "USER_AMOUNT_SHIFT").empty
    checks = result.sections["risk_assessment"]["checks"]
    assert checks["USER_AMOUNT_SHIFT"]["users_shifted"] == 0
    assert checks["VENDOR_VOLUME_SPIKE"]["vendor_weeks_tested"] > 100


def test_a_document_repeating_an_earlier_total_of_its_vendor_settles_it():
    frame = ledger(
        posting_date=["2024-03-01", "2024-03-01", "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"],
        amount=[700.0, -700.0, 250.0, 700.0, -700.0, 700.0],
        vendor=["Acme", "Acme", "Acme", "Acme", "Acme", "Zeta"],
        je_number=["JE-1", "JE-1", "JE-2", "JE-3", "JE-3", "JE-4"],
    )
    docs = vendor_documents(frame)
    assert docs.names.tolist() == ["JE-1", "JE-2", "JE-3", "JE-4"]
    assert docs.cents.tolist() == [70_000, 25_000, 70_000, 70_000]
    # JE-3 pays (or repeats) JE-1; the same total from another vendor is new business.
    assert docs.settles.tolist() == [-1, -1, 0, -1]
    assert docs.settled_by().tolist() == [2, -1, -1, -1]
    assert np.array_equal(docs.line_document, [0, 0, 1, 2, 2, 3])
