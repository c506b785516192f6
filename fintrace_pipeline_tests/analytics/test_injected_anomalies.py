"""On a generated ledger, every injected duplicate and rule-type anomaly is flagged with its code."""

import pytest

from fintrace_pipeline.analytics.duplicates import run_duplicate_analysis
from fintrace_pipeline.analytics.rules import run_anomaly_detection
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.ingest import ingest_file
from fintrace_pipeline.rules import RULES


@pytest.fixture(scope="module")
def flagged(tmp_path_factory):
    generated = generate_ledger(8_000, seed=11)
    path = tmp_path_factory.mktemp("gen") / "ledger.csv"
    write_ledger(generated, path)
    transactions = ingest_file(path, max_decompressed_bytes=2**30, max_rows=10**6).transactions
    flags = [run_duplicate_analysis(transactions).flags, run_anomaly_detection(transactions).flags]
    hits = {(int(r), c) for frame in flags for r, c in zip(frame["row_number"], frame["rule_code"], strict=True)}
    posted = generated.ledger["Posting Date"].to_numpy()[generated.labels["row_number"].to_numpy() - 1]
    return generated.labels.assign(posted=posted), hits


def test_every_injected_case_is_flagged_with_its_rule_code(flagged):
    labels, hits = flagged
    rule_labels = labels[labels["kind"].isin(RULES)]
    assert rule_labels["kind"].nunique() >= 15  # the generator injected every rule-type kind
    missed = [
        (kind, group)
        for (kind, group), members in rule_labels.groupby(["kind", "group"])
        # A case is one or more rows (a duplicate pair, the lines of one entry): one of them carries the code.
        if not any((int(row), kind) in hits for row in members["row_number"])
    ]
    assert missed == []


def test_injected_duplicates_flag_every_line_of_the_later_entry_not_the_original(flagged):
    labels, hits = flagged
    duplicates = labels[labels["kind"].str.startswith("DUP_")]
    assert duplicates.groupby("group")["je_number"].nunique().eq(2).all()  # an original and its copy
    for (kind, _group), members in duplicates.groupby(["kind", "group"]):
        later = members.sort_values(["posted", "je_number"])["je_number"].iloc[-1]
        flagged_rows = {int(r) for r in members["row_number"] if (int(r), kind) in hits}
        assert flagged_rows == set(members.loc[members["je_number"] == later, "row_number"]), (kind, later)
