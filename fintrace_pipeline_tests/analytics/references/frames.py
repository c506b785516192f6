"""Reference lists for the reference-check tests, built as an upload would store them."""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.references import ReferenceList, ReferenceLists, normalized_entries

SHARED_IBAN = "DE89 3704 0044 0532 0130 00"


def reference_list(kind: str, version: int = 1, **columns) -> ReferenceList:
    n = len(next(iter(columns.values())))
    entries = pd.DataFrame({"row_number": range(1, n + 1), **columns})
    if "added_date" in entries:
        entries["added_date"] = pd.to_datetime(entries["added_date"])
    return ReferenceList(kind, version, f"{kind}.csv", normalized_entries(entries))


def references_for(transactions: pd.DataFrame) -> ReferenceLists:
    """Lists that make a file with vendors raise every reference rule: a master of all its vendors but
    the last (by name), the first written with another legal form, the second paid to an employee's
    IBAN, and the vendor of the file's largest payment added five days before it."""
    if "vendor" not in transactions.columns or transactions["vendor"].dropna().empty:
        return ReferenceLists("default", reference_list("vendor_master", name=["Nobody Ltd"], added_date=[None]))
    vendors = sorted(transactions["vendor"].dropna().unique())
    listed = vendors[:-1] if len(vendors) > 1 else vendors
    names = [f"{listed[0]} GmbH", *listed[1:]]
    ibans = [None] * len(listed)
    if len(listed) > 1:
        ibans[1] = SHARED_IBAN
    known = transactions[transactions["vendor"].isin(listed)]
    largest = known.loc[known["amount"].abs().idxmax()]
    added = [None] * len(listed)
    added[listed.index(largest["vendor"])] = largest["posting_date"] - pd.Timedelta(days=5)
    master = reference_list("vendor_master", name=names, bank_account=ibans, added_date=added)
    employees = reference_list("employees", name=["Jana Novak"], id=["E-17"], bank_account=["DE89370400440532013000"])
    return ReferenceLists("default", master, employees)
