"""The ledgers the summary tests share."""

from __future__ import annotations

import pandas as pd
import pytest

from fintrace_pipeline_tests.analytics.summaries.frames import text_column


@pytest.fixture
def ledger() -> pd.DataFrame:
    # J1 balances (100 / 100), J2 is off by 50.50, J3 balances. 2024-02-03 is a Saturday; 21:30 and
    # 23:00 are after hours; Jan 30, Feb 28 (2024 is a leap year: 29 days) fall in the last 3 days.
    return pd.DataFrame(
        {
            "row_number": [1, 2, 3, 4, 5, 6],
            "posting_date": pd.to_datetime(
                [
                    "2024-01-30 08:00",
                    "2024-01-30 21:30",
                    "2024-02-03 10:00",
                    "2024-02-15 09:00",
                    "2024-02-28 23:00",
                    "2024-03-01 12:00",
                ]
            ),
            "amount": [100.0, -100.0, 250.5, -200.0, 50.0, -50.0],
            "je_number": text_column(["J1", "J1", "J2", "J2", "J3", "J3"]),
            "account": text_column(["5000", "1000", "6100", "1000", None, "5000"]),
            "account_name": text_column(["Travel expense", "Cash", "Rent", None, None, "Travel expense"]),
            "user": text_column(["ann", "ann", "bob", "bob", "carl", None]),
        }
    )


@pytest.fixture
def expense_ledger() -> pd.DataFrame:
    # Expense lines: the 6100 and 7000 accounts (rows 1, 3, 5, 6, 7, 8); row 7 is a refund (-20).
    return pd.DataFrame(
        {
            "row_number": range(1, 9),
            "posting_date": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-01-20",
                    "2024-02-03",
                    "2024-02-15",
                    "2024-02-28",
                    "2024-03-01",
                    "2024-03-10",
                    "2024-03-11",
                ]
            ),
            "amount": [100.0, -100.0, 250.0, -200.0, 50.0, 300.0, -20.0, 40.0],
            "account": text_column(["6100", "1000", "6100", "1000", "7000", "6100", "6100", "7000"]),
            "account_name": text_column(["Rent", "Cash", "Rent", "Cash", "Travel", "Rent", "Rent", "Travel"]),
            "vendor": text_column(["Acme", "Bank", "Acme", None, "Air", "Acme", "Acme", "NewCo"]),
            "user": text_column(["ann", "ann", "bob", "bob", "carl", None, "ann", "bob"]),
        }
    )
