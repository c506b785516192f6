"""Monthly payment registers of one source, for the comparison with earlier files: ``months`` files of
steady vendors, users and accounts, with four cross-file cases injected, each listed in ``cases`` with
the month it shows in, the row and the rule code a correct comparison raises on it:

- a vendor invoice of month 5 paid again, same vendor and invoice number, two months later;
- a vendor never seen before receiving one large first payment in month 9;
- a vendor paid in months 1 and 2, silent until month 11 (dormant for 8 months), then paid again;
- in month 12, one steady vendor's month of spend about ten times its usual month.

Same arguments, same frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

YEAR = 2025
STEADY_VENDORS = 30
USERS = ("akim", "bela", "cora", "dev", "emil")
ACCOUNTS = tuple(str(6000 + 10 * i) for i in range(8))


@dataclass(frozen=True)
class MonthlyFiles:
    files: list[pd.DataFrame]  # one per month, in month order; row_number = position + 1
    cases: pd.DataFrame  # month (1-based), row_number, rule_code, vendor


def generate_monthly_files(months: int = 12, lines_per_month: int = 600, seed: int = 0) -> MonthlyFiles:
    if months < 12:
        raise ValueError(f"the injected cases need 12 months, got {months}")
    rng = np.random.default_rng(seed)
    vendors = [f"Supplier {i:02d} Ltd" for i in range(STEADY_VENDORS)]
    usual = rng.uniform(200, 5_000, STEADY_VENDORS).round(2)  # each vendor's usual invoice size
    home_account = rng.integers(0, len(ACCOUNTS), STEADY_VENDORS)
    files: list[pd.DataFrame] = []
    cases: list[dict] = []
    for month in range(1, months + 1):
        n = lines_per_month
        days = pd.Timestamp(YEAR, month, 1).days_in_month
        vendor = rng.integers(0, STEADY_VENDORS, n)
        frame = pd.DataFrame(
            {
                "transaction_id": [f"P{month:02d}-{i:05d}" for i in range(n)],
                "posting_date": [pd.Timestamp(YEAR, month, int(d)) for d in np.sort(rng.integers(1, days + 1, n))],
                "amount": (usual[vendor] * rng.uniform(0.8, 1.2, n)).round(2),
                "vendor": [vendors[v] for v in vendor],
                "invoice_number": [f"INV-{month:02d}{i:05d}" for i in range(n)],
                "account": [ACCOUNTS[a] for a in home_account[vendor]],
                "user": [USERS[u] for u in rng.integers(0, len(USERS), n)],
                "description": "Supplier invoice",
            }
        )
        extra: list[dict] = []

        def add(rule_code: str, line: dict, extra=extra, month=month, n=n) -> None:
            extra.append(line)
            cases.append(
                {"month": month, "row_number": n + len(extra), "rule_code": rule_code, "vendor": line["vendor"]}
            )

        if month in (1, 2):
            extra.append(_line(month, 12, 1_840.00, "Dormant Dynamics GmbH", f"DD-{month}", "6030", "bela"))
        if month == 11:
            add(
                "HIST_VENDOR_REACTIVATED",
                _line(month, 14, 1_910.00, "Dormant Dynamics GmbH", "DD-11", "6030", "bela"),
            )
        if month == 5:
            extra.append(_line(month, 20, 7_425.50, vendors[3], "INV-DUP-0505", ACCOUNTS[home_account[3]], "cora"))
        if month == 7:
            add(
                "HIST_DUP_INVOICE",
                _line(month, 22, 7_425.50, vendors[3], "INV-DUP-0505", ACCOUNTS[home_account[3]], "cora"),
            )
        if month == 9:
            add("HIST_NEW_VENDOR", _line(month, 9, 48_000.00, "Brand New Consulting", "BNC-1", "6070", "dev"))
        if month == 12:
            # Vendor 7's month: its usual spend, then nine more months of it on three large invoices.
            steady_month = float(frame.loc[frame["vendor"] == vendors[7], "amount"].sum())
            for k in range(3):
                add(
                    "HIST_SPEND_SHIFT",
                    _line(
                        month,
                        10 + k,
                        round(3 * steady_month, 2),
                        vendors[7],
                        f"S7-{k}",
                        ACCOUNTS[home_account[7]],
                        "emil",
                    ),
                )
        if extra:
            frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
        files.append(frame)
    return MonthlyFiles(files, pd.DataFrame(cases))


def _line(month: int, day: int, amount: float, vendor: str, invoice: str, account: str, user: str) -> dict:
    return {
        "transaction_id": f"X{month:02d}-{invoice}",
        "posting_date": pd.Timestamp(YEAR, month, day),
        "amount": amount,
        "vendor": vendor,
        "invoice_number": invoice,
        "account": account,
        "user": user,
        "description": "Supplier invoice",
    }


def write_monthly_file(frame: pd.DataFrame, path) -> None:
    out = frame.assign(posting_date=frame["posting_date"].dt.strftime("%Y-%m-%d"))
    out.to_csv(path, index=False)
