"""The reference checks on small files whose answers are known: which vendors the master holds,
which share an employee's details, which were added shortly before a large payment."""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.references import ReferenceCheckOptions, ReferenceLists, run_reference_checks
from fintrace_pipeline.analytics.references.lists import normalize_address, normalize_tax_id
from fintrace_pipeline.analytics.references.matching import match_vendors
from fintrace_pipeline.findings import SKIPPED
from fintrace_pipeline_tests.analytics.flagged import flags_of, skipped_checks
from fintrace_pipeline_tests.analytics.references.frames import reference_list
from fintrace_pipeline_tests.analytics.rules.frames import ledger

MASTER = reference_list(
    "vendor_master",
    version=3,
    name=["Acme Supplies Ltd", "Nordwind GmbH", "Shell Services s.r.o.", "Store 12 Inc", "Müller & Söhne KG"],
    id=["V1", "V2", "V3", "V4", "V5"],
    address=["12 High Street", "Hauptstrasse 5", "Vinohradská 10", "1 Main St", None],
    bank_account=["GB29 NWBK 6016 1331 9268 19", "DE89 3704 0044 0532 0130 00", None, None, None],
    tax_id=["GB123456789", "DE 811 234 567", None, None, None],
    added_date=["2024-01-15", "2025-05-25", "2025-05-20", None, "2020-01-01"],
)
EMPLOYEES = reference_list(
    "employees",
    name=["Jana Novak", "Max Muster"],
    id=["E-17", None],
    address=["Vinohradska 10,", "Lindenweg 3"],
    bank_account=["CZ65 0800 0000 1920 0014 5399", "de89370400440532013000"],
    tax_id=[None, "811234567"],
)


def run(transactions, master=MASTER, employees=EMPLOYEES, **options):
    return run_reference_checks(
        transactions, ReferenceCheckOptions(**options), ReferenceLists("acme", master, employees)
    )


def test_names_match_after_normalisation_and_fuzzily_with_their_score():
    names = pd.Series(
        ["ACME SUPPLIES LIMITED", "Acme Suplies", "Supplies Acme", "Shell Services sro", "Store 13", "Mueller", "Zeta"],
        dtype="string",
    )
    matches = match_vendors(names, MASTER.entries, 94.0).set_index("vendor")
    assert matches.loc["ACME SUPPLIES LIMITED", ["entry", "how", "score"]].tolist() == [0, "exact", 100.0]
    # One letter missing: rapidfuzz's ratio of "ACME SUPLIES" and "ACME SUPPLIES" is 2*12/25.
    assert matches.loc["Acme Suplies", ["entry", "how", "score"]].tolist() == [0, "fuzzy", 96.0]
    # A letter lost at the start of a word: the plain ratio still sees one edit (2 * 12 / 25).
    assert match_vendors(pd.Series(["Acme upplies"], dtype="string"), MASTER.entries, 94.0)["score"].tolist() == [96.0]
    # Word order does not matter to the token-sort ratio, but the names normalise differently.
    assert matches.loc["Supplies Acme", ["entry", "how", "score"]].tolist() == [0, "fuzzy", 100.0]
    assert matches.loc["Shell Services sro", ["entry", "how"]].tolist() == [2, "exact"]
    # A different number is a different vendor, however alike the rest: no candidate at all.
    assert matches.loc["Store 13", ["entry", "how", "score"]].tolist() == [-1, "none", 0.0]
    assert matches.loc["Zeta", "how"] == "none" and matches.loc["Zeta", "entry"] == -1


def test_payments_to_vendors_not_in_the_master_say_the_closest_entry_and_its_score():
    transactions = ledger(
        amount=[500.0, 12_000.0, 300.0, 80.0],
        vendor=["Acme Suplies", "Acme Holdings", "Nordwind", "Store 13"],
    )
    result = run(transactions)
    found = flags_of(result, "VENDOR_NOT_IN_MASTER")
    assert found["row_number"].tolist() == [2, 4]
    assert found["reason"].tolist() == [
        "Vendor Acme Holdings is not in the vendor master (version 3, 5 entries): the closest entry, "
        "Acme Supplies Ltd, scores 62 of 100, below the 94 a match needs",
        "Vendor Store 13 is not in the vendor master (version 3, 5 entries): no entry comes close",
    ]
    # "ACME HOLDINGS" and "ACME SUPPLIES" have 8 letters in common, in order: 2 * 8 / 26 = 61.5.
    # A payment of 10,000 or more to an unknown vendor is one level higher.
    assert found["severity"].tolist() == ["high", "medium"]
    assert found["details"][0] == {
        "vendor": "Acme Holdings",
        "closest_entry": "Acme Supplies Ltd",
        "score": 61.5,
        "version": 3,
    }
    assert result.sections["risk_assessment"]["vendors"]["fuzzy_matches"] == [
        {"vendor": "Acme Suplies", "match": "Acme Supplies Ltd", "score": 96.0}
    ]
    # A lower bar takes Acme Holdings for Acme Supplies.
    assert flags_of(run(transactions, vendor_match_score=60.0), "VENDOR_NOT_IN_MASTER")["row_number"].tolist() == [4]


def test_vendors_sharing_a_bank_account_address_or_tax_id_with_an_employee():
    transactions = ledger(
        amount=[100.0, 200.0, 300.0, 400.0],
        vendor=["Nordwind", "Shell Services", "Acme Supplies", "Nordwind GmbH"],
    )
    found = flags_of(run(transactions), "VENDOR_SHARES_EMPLOYEE_DETAILS")
    assert found["row_number"].tolist() == [1, 2, 4]
    assert found["reason"].tolist()[:2] == [
        "Vendor Nordwind (vendor master entry 'Nordwind GmbH') has the same bank account and tax id as employee "
        "Max Muster: DE89 3704 0044 0532 0130 00; DE 811 234 567",
        "Vendor Shell Services (vendor master entry 'Shell Services s.r.o.') has the same address as employee "
        "Jana Novak (E-17): Vinohradská 10",
    ]
    assert set(found["severity"]) == {"high"}
    assert found["details"][0]["shared"] == ["bank_account", "tax_id"]


def test_a_vendor_added_shortly_before_its_first_large_payment():
    transactions = ledger(
        posting_date=["2025-06-01", "2025-06-10", "2025-06-20", "2025-06-02", "2025-06-03"],
        amount=[2_000.0, 15_000.0, 30_000.0, 50_000.0, 11_000.0],
        vendor=["Nordwind", "Nordwind", "Nordwind", "Acme Supplies", "Muller und Sohne"],
    )
    result = run(transactions)
    found = flags_of(result, "VENDOR_ADDED_BEFORE_LARGE_PAYMENT")
    # Nordwind was added on 2025-05-25: its first payment of 10,000 or more is row 2, 16 days later.
    # Acme was added long before; Müller & Söhne too.
    assert found["row_number"].tolist() == [2]
    assert found["reason"][0] == (
        "First payment of 10,000 or more to Nordwind in this file, 15,000.00 on 2025-06-10, 16 days after it "
        "was added to the vendor master (2025-05-25; limit 30 days)"
    )
    assert found["details"][0]["days_after_added"] == 16
    # Fifteen days are too few; a threshold of 20,000 makes row 3 the first large payment, 26 days on.
    assert flags_of(run(transactions, new_vendor_days=15), "VENDOR_ADDED_BEFORE_LARGE_PAYMENT").empty
    later = flags_of(run(transactions, large_payment_amount=20_000.0), "VENDOR_ADDED_BEFORE_LARGE_PAYMENT")
    assert later["row_number"].tolist() == [3] and later["details"][0]["days_after_added"] == 26


def test_without_lists_the_stage_is_skipped_with_the_reason_and_a_missing_list_skips_its_checks():
    transactions = ledger(amount=[100.0], vendor=["Acme"])
    skipped = run_reference_checks(transactions, None, ReferenceLists("acme"))
    assert skipped.status == SKIPPED
    assert skipped.error_message.startswith("source 'acme' has no vendor master or employee list; add one with")
    only_master = run(transactions, employees=None)
    assert skipped_checks(only_master) == {"VENDOR_SHARES_EMPLOYEE_DETAILS": "source 'acme' has no employee list"}
    only_employees = run(transactions, master=None)
    assert set(skipped_checks(only_employees).values()) == {"source 'acme' has no vendor master"}
    assert only_employees.flags.empty


def test_normalised_addresses_and_tax_ids():
    addresses = pd.Series(["12 High Street,", "12 high st", "Lindenstraße 3", "Lindenstr. 3"], dtype="string")
    assert normalize_address(addresses).tolist() == ["12 HIGH ST", "12 HIGH ST", "LINDENSTR 3", "LINDENSTR 3"]
    taxes = pd.Series(["DE 811 234 567", "811234567", "12/345/67890"], dtype="string")
    assert normalize_tax_id(taxes).tolist() == ["811234567", "811234567", "1234567890"]
