"""Every reason is literally true of its row: the comparison it names is the one computed, no blank
entity is named, and no fact is given twice."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from fintrace_pipeline.ml.explain import explain_rows
from fintrace_pipeline.ml.features import build_features
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline_tests.ml.synthetic import ledger

ALL_REASONS = MLOptions(isolation_trees=40, forest_trees=25, max_reasons=20)


def _explained(frame: pd.DataFrame, rows: list[int], flags: pd.DataFrame | None = None) -> pd.DataFrame:
    features = build_features(frame, flags, ALL_REASONS)
    return explain_rows(features, frame, flags, np.array(rows), ALL_REASONS)


def _planted() -> pd.DataFrame:
    """Rows 300-302 are 30 times their user's usual amount: one to a vendor seen only on that line, one
    naming no vendor and one from a user and to a vendor and account that appear nowhere else."""
    frame = ledger()
    frame.loc[[300, 301, 302], "amount"] *= 30
    frame["vendor"] = frame["vendor"].astype(object)
    frame.loc[300, "vendor"] = "Solo Supplies"
    frame.loc[301, "vendor"] = None
    frame.loc[302, ["user", "vendor", "account"]] = ["Temp", "Once Ltd", "A99"]
    return frame.astype({"vendor": "string", "user": "string", "account": "string"})


def test_an_amount_compared_with_the_file_says_so_and_never_names_a_blank_entity():
    frame = _planted()
    features = build_features(frame, None, ALL_REASONS)
    # Without the file-wide size feature, the vendor comparison is the one that names the file's median.
    vendor_only = dataclasses.replace(features, matrix=features.matrix.assign(amount_size=0.0))
    for chosen in (features, vendor_only):
        explained = explain_rows(chosen, frame, None, np.array([300, 301]), ALL_REASONS)
        solo, blank = explained.loc[300, "reason_text"], explained.loc[301, "reason_text"]
        assert "Solo Supplies's median" not in solo
        assert "(blank)" not in blank and "vendor 's" not in blank and "vendor  " not in blank
        assert solo.count("the file's median") == 1 and blank.count("the file's median") == 1
        for text in (solo, blank):  # both are still compared with their own user, who has plenty of lines
            assert "× user U" in text
    assert "vendor Solo Supplies has too few lines (1) for a median of its own" in solo
    assert "the line names no vendor" in blank


def test_one_fact_is_given_once():
    explained = _explained(_planted(), [302])
    codes = explained.loc[302, "reasons"].split("; ")
    texts = explained.loc[302, "reason_text"].split("; ")
    # User, vendor and account all fell back to the file's median: one fact, stated once.
    file_wide = [t for t in texts if "the file's median" in t]
    assert len(file_wide) == 1
    assert (
        len([c for c in codes if c in {"LARGE_AMOUNT", "AMOUNT_VS_USER", "AMOUNT_VS_VENDOR", "AMOUNT_VS_ACCOUNT"}]) == 1
    )
    assert len(texts) == len(set(texts)) == len(codes)


def test_a_rule_and_a_feature_stating_the_same_fact_give_it_once_in_the_rule_s_words():
    frame = _planted()
    flags = pd.DataFrame(
        {
            "row_number": [301],
            "rule_code": ["USER_AMOUNT_OUTLIER"],
            "severity": ["medium"],
            "reason": ["Amount 3,000.00 is 30.0× user U1's median of 100.00 (robust z 34.0)"],
            "details": [None],
            "group_id": [None],
            "analytics_type": ["anomaly_detection"],
        }
    )
    explained = _explained(frame, [300], flags)  # position 300 is row 301
    codes = explained.loc[300, "reasons"].split("; ")
    assert "USER_AMOUNT_OUTLIER" in codes and "AMOUNT_VS_USER" not in codes and "AMOUNT_VS_USER_RECENT" not in codes
    assert "30.0× user U1's median of 100.00" in explained.loc[300, "reason_text"]


def test_a_leading_digit_is_named_only_where_the_file_holds_it_well_beyond_benford():
    frame = ledger()  # amounts 90-2,200: leading digits far from Benford's shares
    explained = _explained(frame, list(range(0, 600, 7)))
    named = explained["reason_text"].str.contains("Leading digit")
    digits = frame["amount"].iloc[explained.index[named]].astype(str).str[0].astype(int)
    shares = frame["amount"].astype(str).str[0].astype(int).value_counts(normalize=True)
    benford = np.log10(1 + 1 / np.arange(1, 10))
    assert named.any()
    assert all(shares[d] >= 1.1 * benford[d - 1] for d in digits)
    flat = dataclasses.replace(ALL_REASONS)
    conforming = frame.assign(amount=np.round(10 ** (1 + (np.arange(600) + 0.5) / 600 * 3), 2))
    features = build_features(conforming, None, flat)
    assert (
        not explain_rows(features, conforming, None, np.arange(0, 600, 7), flat)["reason_text"]
        .str.contains("Leading digit")
        .any()
    )
