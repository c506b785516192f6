"""Which column is the transaction's description: not the name of a code column's values, not a
column of short codes."""

from __future__ import annotations

import random

import pandas as pd

from fintrace_pipeline.ingest import propose_mapping
from fintrace_pipeline.ingest.code_labels import code_labels

AREAS = [("RA123", "Early Help"), ("RB201", "Parks Maintenance"), ("RC300", "Library Services"), ("RD410", "Highways")]
SPEND = [("E100", "Community Equipment"), ("E200", "Stationery"), ("E300", "Travel & Subsistence")]
PCARD_HEADERS = [
    "TRANS DATE",
    "TRANS VAT DESC",
    "ORIGINAL GROSS AMT",
    "BILLING GROSS AMT",
    "BILLING CUR CODE",
    "MERCHANT NAME",
    "CARD NUMBER",
    "TRANS CAC CODE 1",
    "TRANS CAC DESC 1",
    "TRANS CAC CODE 2",
    "TRANS CAC DESC 2",
    "Directorate",
]


def pcard_sample(rows: int = 80, headers: list[str] = PCARD_HEADERS) -> pd.DataFrame:
    """A UK council purchase-card export: cost-allocation codes with their names beside them."""
    rng = random.Random(7)
    records = []
    for i in range(rows):
        area, spend = rng.choice(AREAS), rng.choice(SPEND)
        records.append(
            {
                "TRANS DATE": f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2024",
                "TRANS VAT DESC": rng.choice(["VR", "VZ", "VS"]),
                "ORIGINAL GROSS AMT": f"{i * 3.5 + 1:.2f}",
                "BILLING GROSS AMT": f"{i * 3.5 + 1:.2f}",
                "BILLING CUR CODE": "GBP",
                "MERCHANT NAME": rng.choice(["AMAZON UK", "TRAINLINE", "TESCO STORES"]),
                "CARD NUMBER": f"************{rng.randint(10, 99):04d}",
                "TRANS CAC CODE 1": spend[0],
                "TRANS CAC DESC 1": spend[1],
                "TRANS CAC CODE 2": area[0],
                "TRANS CAC DESC 2": area[1],
                "Directorate": "Resources",
            }
        )
    return pd.DataFrame(records)[headers].astype("string")


def test_cost_allocation_names_are_no_description():
    sample = pcard_sample()
    proposal = propose_mapping(PCARD_HEADERS, sample)
    assert "description" not in proposal.mapping
    assert proposal.mapping["vendor"] == "MERCHANT NAME"
    assert proposal.mapping["amount"] == "BILLING GROSS AMT"
    assert code_labels(PCARD_HEADERS, sample) == {"TRANS CAC DESC 1", "TRANS CAC DESC 2"}


def test_a_cost_centre_name_as_the_only_description_like_column_is_no_description():
    headers = ["TRANS DATE", "BILLING GROSS AMT", "MERCHANT NAME", "TRANS CAC CODE 2", "TRANS CAC DESC 2"]
    assert "description" not in propose_mapping(headers, pcard_sample(headers=headers)).mapping
    # From the headers alone (no content to tell), it is still the best description there is.
    assert propose_mapping(headers).mapping["description"] == "TRANS CAC DESC 2"


def test_free_text_beside_a_type_code_stays_the_description():
    rng = random.Random(3)
    sample = pd.DataFrame(
        {
            "Transaction Date": [f"0{rng.randint(1, 9)}/02/2024" for _ in range(60)],
            "Transaction Code": [rng.choice(["DD", "SO", "DEB"]) for _ in range(60)],
            "Transaction Description": [f"CARD PAYMENT TO SHOP {i:03d}" for i in range(60)],
            "Amount": [f"{i}.50" for i in range(60)],
        }
    ).astype("string")
    proposal = propose_mapping(list(sample.columns), sample)
    assert proposal.mapping["description"] == "Transaction Description"


def test_a_column_of_short_codes_is_no_description():
    sample = pd.DataFrame(
        {
            "Date": ["2024-01-02"] * 30,
            "Amount": ["5.00"] * 30,
            "VAT Desc": ["VR", "VZ", "VS"] * 10,
            "Memo": [f"Office chair order {i}" for i in range(30)],
        }
    ).astype("string")
    assert propose_mapping(list(sample.columns), sample).mapping["description"] == "Memo"
    del sample["Memo"]
    assert "description" not in propose_mapping(list(sample.columns), sample).mapping
