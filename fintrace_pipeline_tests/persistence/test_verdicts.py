"""Verdict storage on real SQLite and PostgreSQL: every verdict kept, the newest per target counting,
targets resolved in the file, audit rows written with them, and a source's verdicts read back up to
any moment for a learner."""

import time

import pandas as pd
import pytest
from sqlalchemy import func, select

from fintrace_pipeline.db.schema import audit_log, transactions, verdicts
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.persistence import verdicts as store
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.verdicts import Decision, Named, Target, Unresolved

ROWS = pd.DataFrame(
    {
        "row_number": [1, 2, 3, 4, 5],
        "posting_date": pd.to_datetime(["2024-01-02"] * 5),
        "amount": [100.0, -100.0, 40.0, -40.0, 7.0],
        "transaction_id": ["T1", "T2", "T3", "T3", "T5"],  # T3 is on two rows
        "je_number": ["JE-1", "JE-1", "JE-2", "JE-2", None],
    }
)
NO_REJECTS = pd.DataFrame({"row_number": [], "raw_values": [], "reason": []})


def _file(engine, tmp_path, name: str, source: str, rows: pd.DataFrame = ROWS):
    path = tmp_path / name
    path.write_text(f"date,amount\n2024-01-01,{name}\n")
    data_file = register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a", source=source)[0]
    with engine.begin() as connection:
        replace_transactions(connection, data_file.id, rows, NO_REJECTS)
    return data_file


@pytest.fixture
def ledger(engine, tmp_path):
    return _file(engine, tmp_path, "ledger.csv", "acme")


def _audit_rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(audit_log).order_by(audit_log.c.id)).all()


def test_names_resolve_to_targets_of_the_file(engine, ledger):
    named = [
        Named(row_number=2),
        Named(row_number=99),
        Named(transaction_id="T5"),
        Named(transaction_id="T3"),
        Named(transaction_id="nope"),
        Named(je_number="JE-2"),
        Named(je_number="JE-9"),
    ]
    with engine.connect() as connection:
        resolved = store.resolve(connection, ledger.id, named)
    assert resolved == [
        Target(row_number=2),
        Unresolved("the file has no row 99", True),
        Target(row_number=5),
        Unresolved("transaction_id 'T3' is on 2 rows of the file; name the row_number", False),
        Unresolved("the file has no transaction_id 'nope'", True),
        Target(je_number="JE-2"),
        Unresolved("the file has no journal entry 'JE-9'", True),
    ]


def test_many_names_resolve_the_same_as_a_few(engine, tmp_path):
    rows = pd.DataFrame(
        {
            "row_number": range(1, 3001),
            "posting_date": pd.to_datetime(["2024-01-02"] * 3000),
            "amount": [1.0] * 3000,
            "transaction_id": [f"T{i}" for i in range(1, 3001)],
        }
    )
    big = _file(engine, tmp_path, "big.csv", "acme", rows)
    named = [Named(transaction_id=f"T{i}") for i in range(1, 3001)] + [Named(transaction_id="T0")]
    with engine.connect() as connection:
        resolved = store.resolve(connection, big.id, named)
    assert resolved[:3000] == [Target(row_number=i) for i in range(1, 3001)]
    assert resolved[3000] == Unresolved("the file has no transaction_id 'T0'", True)


def test_every_verdict_is_kept_and_the_newest_per_target_counts(engine, ledger):
    with engine.begin() as connection:
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=1), "follow_up", "ask AP")], "alice")
    time.sleep(0.002)
    with engine.begin() as connection:
        stored = store.record_reviewed(
            connection,
            ledger,
            [
                Decision(Target(row_number=1), "confirmed", "duplicate payment"),
                Decision(Target(je_number="JE-2"), "cleared"),
            ],
            "bob",
        )
    assert [(s["row_number"], s["je_number"], s["verdict"], s["reviewer"]) for s in stored] == [
        (1, None, "confirmed", "bob"),
        (None, "JE-2", "cleared", "bob"),
    ]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(verdicts)).scalar_one() == 3
        counts = store.verdict_counts(connection, ledger.id)
        total, page = store.file_verdicts(connection, ledger.id, verdict=None, history=True, limit=10, offset=0)
        total_confirmed, confirmed = store.file_verdicts(
            connection, ledger.id, verdict="confirmed", history=False, limit=10, offset=0
        )
    assert counts == {"confirmed": 1, "cleared": 1, "follow_up": 0}
    assert total == 2
    by_target = {(item["row_number"], item["je_number"]): item for item in page}
    row_1 = by_target[(1, None)]
    assert (row_1["verdict"], row_1["comment"], row_1["reviewer"], row_1["transaction_id"]) == (
        "confirmed",
        "duplicate payment",
        "bob",
        "T1",
    )
    assert [(h["verdict"], h["comment"], h["reviewer"]) for h in row_1["history"]] == [("follow_up", "ask AP", "alice")]
    assert by_target[(None, "JE-2")]["history"] == [] and by_target[(None, "JE-2")]["transaction_id"] is None
    assert total_confirmed == 1 and [c["row_number"] for c in confirmed] == [1]
    assert "history" not in confirmed[0]


def test_each_reviewed_verdict_has_an_audit_row_from_before_to_after(engine, ledger):
    with engine.begin() as connection:
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=3), "follow_up")], "alice")
    with engine.begin() as connection:
        # The same target twice in one batch: the first is the second's "before".
        store.record_reviewed(
            connection,
            ledger,
            [Decision(Target(row_number=3), "cleared", "checked"), Decision(Target(row_number=3), "confirmed")],
            "bob",
        )
    rows = _audit_rows(engine)
    assert [(r.actor, r.action, r.target_type, r.target_id) for r in rows] == [
        ("alice", "verdict.record", "data_file", str(ledger.id)),
        ("bob", "verdict.record", "data_file", str(ledger.id)),
        ("bob", "verdict.record", "data_file", str(ledger.id)),
    ]
    assert rows[0].before is None
    assert rows[0].after == {
        "row_number": 3,
        "je_number": None,
        "verdict": "follow_up",
        "comment": None,
        "reviewer": "alice",
        "recorded_at": rows[0].at.isoformat(),
    }
    assert (rows[1].before["verdict"], rows[1].before["reviewer"]) == ("follow_up", "alice")
    assert (rows[1].after["verdict"], rows[1].after["comment"]) == ("cleared", "checked")
    assert (rows[2].before["verdict"], rows[2].before["comment"]) == ("cleared", "checked")
    assert rows[2].after["verdict"] == "confirmed"


def test_an_import_is_stored_at_once_with_one_audit_row(engine, ledger):
    decisions = [Decision(Target(row_number=r), v) for r, v in ((1, "confirmed"), (2, "cleared"), (5, "cleared"))]
    with engine.begin() as connection:
        counts = store.import_decisions(connection, ledger, decisions, "import", "outcomes.csv")
    assert counts == {"confirmed": 1, "cleared": 2}
    with engine.connect() as connection:
        assert store.verdict_counts(connection, ledger.id) == {"confirmed": 1, "cleared": 2, "follow_up": 0}
        stored = connection.execute(select(verdicts.c.source, verdicts.c.reviewer).distinct()).all()
    assert stored == [("acme", "import")]
    (row,) = _audit_rows(engine)
    assert (row.actor, row.action, row.target_id) == ("import", "verdicts.import", str(ledger.id))
    assert row.after == {"origin": "outcomes.csv", "verdicts": 3, "confirmed": 1, "cleared": 2, "follow_up": 0}


def test_labels_give_verdicts_only_to_rows_without_one(engine, tmp_path):
    labelled = _file(
        engine, tmp_path, "labelled.csv", "cards", ROWS.assign(label=pd.array([1, 0, None, 0, 1], dtype="Int64"))
    )
    unlabelled = _file(engine, tmp_path, "plain.csv", "cards")
    with engine.begin() as connection:
        store.record_reviewed(connection, labelled, [Decision(Target(row_number=4), "confirmed", "real")], "alice")
        first = store.import_labels(connection, labelled, "import")
        # Processing the file again adds nothing: every labelled row has its verdict now.
        again = store.import_labels(connection, labelled, "import")
        none = store.import_labels(connection, unlabelled, "import")
    assert first == {"confirmed": 2, "cleared": 1} and again == {} and none == {}
    with engine.connect() as connection:
        _, page = store.file_verdicts(connection, labelled.id, verdict=None, history=False, limit=10, offset=0)
        stored = connection.execute(select(verdicts.c.source, verdicts.c.comment).distinct()).all()
    newest = {item["row_number"]: (item["verdict"], item["reviewer"]) for item in page}
    assert newest == {
        1: ("confirmed", "import"),
        2: ("cleared", "import"),
        4: ("confirmed", "alice"),  # the reviewer's verdict stands
        5: ("confirmed", "import"),
    }
    assert set(stored) == {("cards", None), ("cards", "real")}
    imports = [r for r in _audit_rows(engine) if r.action == "verdicts.import"]
    assert len(imports) == 1 and imports[0].after == {
        "origin": "label column",
        "verdicts": 3,
        "confirmed": 2,
        "cleared": 1,
        "follow_up": 0,
    }


def test_a_row_shows_its_own_verdict_else_its_entrys(engine, ledger):
    with engine.begin() as connection:
        store.record_reviewed(
            connection,
            ledger,
            [
                Decision(Target(je_number="JE-1"), "confirmed", "fake invoice"),
                Decision(Target(row_number=2), "cleared"),
            ],
            "alice",
        )
    with engine.connect() as connection:
        shown = store.newest_for_rows(connection, ledger.id, [1, 2, 3, 5])
    assert {row: v["verdict"] for row, v in shown.items()} == {1: "confirmed", 2: "cleared"}
    assert shown[1]["comment"] == "fake invoice" and shown[1]["reviewer"] == "alice"


def test_joined_onto_every_row_the_verdict_that_counts_is_the_same(engine, ledger, tmp_path):
    other = _file(engine, tmp_path, "other.csv", "acme")
    with engine.begin() as connection:
        store.record_reviewed(connection, ledger, [Decision(Target(je_number="JE-1"), "confirmed")], "alice")
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=2), "follow_up")], "alice")
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=2), "cleared")], "bob")
        store.record_reviewed(connection, other, [Decision(Target(row_number=3), "confirmed")], "carol")
    t = transactions
    joined, verdict = store.with_counting_verdict(ledger.id, t)
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.c.row_number, verdict)
            .select_from(joined)
            .where(t.c.data_file_id == ledger.id)
            .order_by(t.c.row_number)
        ).all()
        shown = store.newest_for_rows(connection, ledger.id, [1, 2, 3, 4, 5])
    # Row 1 takes its entry's verdict, row 2 its own newest; the other file's verdict stays there.
    assert rows == [(1, "confirmed"), (2, "cleared"), (3, None), (4, None), (5, None)]
    assert {row: v["verdict"] for row, v in shown.items()} == {r: v for r, v in rows if v}


def test_a_sources_verdicts_up_to_a_moment_oldest_first_and_no_other_sources(engine, ledger, tmp_path):
    other = _file(engine, tmp_path, "other.csv", "globex")
    with engine.begin() as connection:
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=1), "follow_up")], "alice")
        store.record_reviewed(connection, other, [Decision(Target(row_number=1), "confirmed")], "carol")
    time.sleep(0.002)
    cut = utcnow()
    time.sleep(0.002)
    with engine.begin() as connection:
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=1), "confirmed")], "bob")
        store.record_reviewed(connection, ledger, [Decision(Target(je_number="JE-2"), "cleared")], "bob")
    with engine.connect() as connection:
        everything = store.source_verdicts(connection, "acme")
        until_cut = store.source_verdicts(connection, "acme", until=cut)
        none = store.source_verdicts(connection, "initech")
    assert list(everything.columns) == ["data_file_id", "row_number", "je_number", "verdict", "reviewer", "recorded_at"]
    assert everything["verdict"].tolist() == ["follow_up", "confirmed", "cleared"]
    assert everything["row_number"].tolist()[:2] == [1, 1] and pd.isna(everything["row_number"].iloc[2])
    assert everything["recorded_at"].is_monotonic_increasing
    assert set(everything["data_file_id"].astype(str)) == {str(ledger.id)}
    assert until_cut["verdict"].tolist() == ["follow_up"] and (until_cut["recorded_at"] <= cut).all()
    assert none.empty


def test_the_export_lists_the_newest_per_target_or_the_whole_history(engine, ledger):
    with engine.begin() as connection:
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=5), "follow_up")], "alice")
        store.record_reviewed(connection, ledger, [Decision(Target(je_number="JE-1"), "cleared")], "alice")
    time.sleep(0.002)
    with engine.begin() as connection:
        store.record_reviewed(connection, ledger, [Decision(Target(row_number=5), "confirmed", "=HYPERLINK()")], "bob")
    with engine.connect() as connection:
        newest = store.export_frame(connection, ledger.id)
        history = store.export_frame(connection, ledger.id, history=True)
    assert list(newest.columns) == list(store.EXPORT_COLUMNS)
    assert newest[["row_number", "transaction_id", "je_number", "verdict"]].astype(object).where(
        newest[["row_number", "transaction_id", "je_number", "verdict"]].notna(), None
    ).values.tolist() == [[5, "T5", None, "confirmed"], [None, None, "JE-1", "cleared"]]
    assert history["verdict"].tolist() == ["confirmed", "follow_up", "cleared"]
