"""Canonical frames for the rule tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

ORDINARY_DATE = "2024-03-13"  # a Wednesday, no holiday
ORDINARY_AMOUNT = 123.45  # not round, not near a limit


def ledger(n: int | None = None, **columns) -> pd.DataFrame:
    """A canonical frame; unspecified required columns get ordinary values."""
    n = n or len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {
            "row_number": np.arange(1, n + 1, dtype="int64"),
            "posting_date": pd.to_datetime(columns.pop("posting_date", [ORDINARY_DATE] * n)),
            "amount": np.asarray(columns.pop("amount", [ORDINARY_AMOUNT] * n), dtype="float64"),
        }
    )
    for name, values in columns.items():
        if name == "entry_date":
            frame[name] = pd.to_datetime(values)
        else:
            frame[name] = pd.array(values, dtype="string")
    return frame


SHIFT_DAYS = range(60, 70)  # the business days on which user ann's amounts stand 2.5 times higher
BURST_DAY = 100  # the Monday of the week in which Supplier 07 sends twelve more invoices than usual


def history_ledger(shift: bool = True, burst: bool = True) -> pd.DataFrame:
    """26 weeks of invoices, one line each (no entry numbers): four users key four lines a business day
    on two accounts for twenty suppliers, amounts around 500. Optionally ann's amounts stand 2.5 times
    higher on ``SHIFT_DAYS`` (with a later payment of her first such invoice), and Supplier 07 bills
    twelve extra invoices in the week of ``BURST_DAY``. Every amount differs, so no duplicate test
    has anything to say."""
    rng = np.random.default_rng(7)
    days = pd.bdate_range("2024-01-01", periods=130)
    rows = []
    for day in days:
        for user in ("ann", "bob", "cy", "dee"):
            for k in range(4):
                rows.append([day, user, "6100" if k % 2 else "6200", f"Supplier {rng.integers(1, 21):02d}"])
    frame = pd.DataFrame(rows, columns=["posting_date", "user", "account", "vendor"])
    amounts = np.round(np.exp(rng.normal(np.log(500), 0.5, len(frame))), 2)
    if shift:
        risen = (frame["user"] == "ann") & frame["posting_date"].isin(days[list(SHIFT_DAYS)])
        amounts = np.where(risen, np.round(amounts * 2.5, 2), amounts)
    extra = []
    if burst:
        for k in range(12):
            extra.append([days[BURST_DAY + k % 5], "eve", "6300", "Supplier 07"])
    if shift:
        first = int(np.flatnonzero(risen)[0])
        extra.append([days[SHIFT_DAYS[-1] + 15], "pat", "2000", frame["vendor"].iloc[first]])
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    extra_amounts = np.round(np.exp(rng.normal(np.log(500), 0.5, len(extra) - int(shift))), 2)
    amounts = np.concatenate([amounts, extra_amounts, [amounts[first]] if shift else []]).astype("float64")
    # Repeated amounts are nudged apart by a cent, so only the payment repeats an invoice's total.
    seen: set[float] = set()
    for i in range(len(amounts) - int(shift)):
        while amounts[i] in seen:
            amounts[i] = round(amounts[i] + 0.01, 2)
        seen.add(amounts[i])
    return ledger(
        posting_date=frame["posting_date"].dt.strftime("%Y-%m-%d").tolist(),
        amount=amounts.tolist(),
        user=frame["user"].tolist(),
        account=frame["account"].tolist(),
        vendor=frame["vendor"].tolist(),
    )
