"""Time of the reference_checks stage, and what it finds, on a synthetic ledger against a vendor master.

The file pays 20,000 vendors; the master lists 19,000 of them (16,000 written as in the file, 2,000
with another legal form, case or punctuation, 1,000 with one letter dropped) and 1,000 vendors the
file does not pay. 1,000 of the file's vendors are not in the master. 50 vendors share an employee's
IBAN and 50 were added to the master five days before their first payment of 10,000 or more.

Usage: .venv/bin/python bench/bench_references.py [rows]
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.references import (
    ReferenceCheckOptions,
    ReferenceList,
    ReferenceLists,
    normalized_entries,
    run_reference_checks,
)

WORDS = """alder amber apex arbor aspen atlas aurora azure basalt beacon birch bluff boulder bramble brook
cedar cinder cliff clover cobalt comet copper coral crest cypress delta dune eagle echo ember falcon fern
fjord flint forge frost garnet glacier granite grove harbor hazel heron hollow indigo iris ivory jasper
juniper kestrel lagoon larch laurel lotus lumen maple marble meadow mesa mist moss nimbus oak onyx orchid
osprey pebble pine quartz quill raven reed ridge river robin sable sage sierra slate sparrow spruce summit
thistle timber topaz tundra valley willow wren yarrow zephyr""".split()
TRADES = """Logistics Foods Supplies Engineering Consulting Electric Plumbing Printing Catering Security Cleaning
Software Textiles Metals Packaging Freight Roofing Glass Media Medical""".split()
FORMS = ["Ltd", "GmbH", "Inc", "S.A.", "s.r.o.", "LLC", "B.V.", "AG", "Oy", "S.L."]
LARGE = 10_000.0


def vendor_names(count: int, rng: np.random.Generator) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        # Two words in alphabetical order: "Birch Cedar Foods" is a vendor, "Cedar Birch Foods" its spelling.
        first, second = sorted(rng.choice(WORDS, 2, replace=False))
        names.add(f"{first.title()} {second.title()} {rng.choice(TRADES)}")
    return sorted(names)


def build(rows: int, seed: int = 11):
    rng = np.random.default_rng(seed)
    names = vendor_names(21_000, rng)
    rng.shuffle(names)
    paid, master_only = names[:20_000], names[20_000:]
    absent = set(paid[:1_000])
    listed = paid[1_000:]
    restyled, misspelt = set(listed[:2_000]), set(listed[2_000:3_000])

    def master_name(name: str) -> str:
        if name in restyled:
            return f"{name.upper()}, {rng.choice(FORMS)}"
        if name in misspelt:
            at = int(rng.integers(1, len(name) - 1))
            return name[:at] + name[at + 1 :] if name[at] != " " else name[: at - 1] + name[at:]
        return f"{name} {rng.choice(FORMS)}"

    vendor = np.asarray(paid, dtype=object)[rng.integers(0, len(paid), rows)]
    amounts = np.round(np.exp(rng.normal(6.0, 1.6, rows)), 2)
    posting = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    transactions = pd.DataFrame(
        {
            "row_number": np.arange(1, rows + 1, dtype="int64"),
            "posting_date": np.asarray(posting, dtype="datetime64[ns]"),
            "amount": amounts,
            "vendor": pd.array(vendor, dtype="string"),
        }
    )
    entries = pd.DataFrame({"name": [master_name(n) for n in listed] + master_only})
    entries["bank_account"] = [f"GB{i:02d} BANK {i:08d}" for i in range(len(entries))]
    entries["added_date"] = pd.Timestamp("2018-01-01")
    # 50 vendors paid to an employee's IBAN; 50 added five days before their first large payment.
    shared = rng.choice(len(listed), 50, replace=False)
    employees = pd.DataFrame(
        {
            "name": [f"Employee {i}" for i in range(2_000)],
            "bank_account": [f"DE{i:02d} STAFF {i:08d}" for i in range(2_000)],
        }
    )
    employees.loc[:49, "bank_account"] = entries.loc[shared, "bank_account"].to_numpy()
    present = set(transactions["vendor"].unique())
    fresh = [i for i in rng.permutation(len(listed)) if i not in set(shared) and listed[i] in present][:50]
    for i in fresh:
        lines = transactions.index[transactions["vendor"] == listed[i]]
        line = lines[0]
        transactions.loc[line, "amount"] = 25_000.0
        earlier_large = transactions.loc[lines, "amount"].ge(LARGE) & transactions.loc[lines, "posting_date"].lt(
            transactions.loc[line, "posting_date"]
        )
        transactions.loc[lines[earlier_large.to_numpy()], "amount"] = 900.0
        entries.loc[i, "added_date"] = transactions.loc[line, "posting_date"] - pd.Timedelta(days=5)
    lists = ReferenceLists(
        "bench",
        ReferenceList(
            "vendor_master", 1, "master.csv", normalized_entries(entries.assign(row_number=range(1, len(entries) + 1)))
        ),
        ReferenceList("employees", 1, "staff.csv", normalized_entries(employees.assign(row_number=range(1, 2_001)))),
    )
    truth = {
        "absent": absent,
        "shared": {listed[i] for i in shared},
        "fresh": {listed[i] for i in fresh},
    }
    return transactions, lists, truth


def main(rows: int) -> None:
    transactions, lists, truth = build(rows)
    started = time.perf_counter()
    result = run_reference_checks(transactions, ReferenceCheckOptions(large_payment_amount=LARGE), lists)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    vendor_of = transactions.set_index("row_number")["vendor"]
    print(
        f"reference_checks on {rows:,} rows, 20,000 vendors, master of 20,000: {elapsed:.1f} s, peak RSS {peak:,.0f} MB"
    )
    vendors = result.sections["risk_assessment"]["vendors"]
    print(f"vendors in the master: {vendors['in_master']:,} (matched fuzzily {vendors['matched_fuzzily']:,})")
    for code, expected in (
        ("VENDOR_NOT_IN_MASTER", truth["absent"]),
        ("VENDOR_SHARES_EMPLOYEE_DETAILS", truth["shared"]),
        ("VENDOR_ADDED_BEFORE_LARGE_PAYMENT", truth["fresh"]),
    ):
        flags = result.flags[result.flags["rule_code"] == code]
        found = set(vendor_of[flags["row_number"]])
        print(
            f"{code}: {len(found & expected):,} of {len(expected):,} injected vendors found, "
            f"{len(found - expected):,} others flagged ({len(flags):,} lines)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
