"""Flagged journal entries and the entry export over hand-built results: order, lines, filters, paging,
a file without entries, errors."""

import csv
import io
import uuid
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import update

from fintrace_pipeline.api.entry_queries import MAX_LINES_PER_ENTRY, NO_ENTRY_NUMBERS, NO_ENTRY_SCORES
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import data_files
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.findings import ENTRY_SCORE_COLUMNS, AnalysisResult, ModelResult
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline_tests.api.conftest import UNKNOWN, error, ok

# Four entries; JE-3 (rows 5 and 7) and +JE-4 (rows 6 and 8) are interleaved in the file.
LINES = pd.DataFrame(
    {
        "row_number": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "posting_date": pd.to_datetime(["2025-03-01"] * 4 + ["2025-03-02"] * 4 + ["2025-03-03"] * 2),
        "amount": [500.0, -500.0, 80.0, -80.0, 80.0, 45.5, -80.0, -45.5, 12.0, -12.0],
        "transaction_id": [f"T{i}" for i in range(1, 11)],
        "je_number": ["JE-1", "JE-1", "JE-2", "JE-2", "JE-3", "+JE-4", "JE-3", "+JE-4", "JE-5", "JE-5"],
        "account": ["6100", "2000", "6200", "2000", "6200", "6300", "2000", "1000", "6400", "2000"],
        "account_name": ["Utilities", "AP", "Supplies", "AP", "Supplies", "Travel", "AP", "Cash", "Fees", "AP"],
        "user": ["jdoe"] * 10,
        "vendor": ["Acme", None, "Globex", None, "Globex", '=HYPERLINK("x")', None, None, "Initech", None],
        "invoice_number": [None, None, "INV-7", None, "INV-7", None, None, None, None, None],
        "description": ["Power", "Power", "Paper", "Paper", "Paper", "Taxi", "Paper", "Taxi", "Fee", "Fee"],
    }
)
LINE_RISK = [40.0, 99.0, 70.0, 10.0, 95.0, 30.0, 20.0, 60.0, 5.0, 1.0]
ENTRIES = pd.DataFrame(
    {
        "je_number": ["JE-1", "JE-3", "JE-2", "+JE-4", "JE-5"],
        "line_count": [2, 2, 2, 2, 2],
        "first_row_number": [1, 5, 3, 6, 9],
        "posting_date": pd.to_datetime(["2025-03-01", "2025-03-02", "2025-03-01", "2025-03-02", "2025-03-03"]),
        "debit_total": [500.0, 80.0, 80.0, 45.5, 12.0],
        "credit_total": [500.0, 80.0, 80.0, 45.5, 12.0],
        "risk_score": [100.0, 75.0, 50.0, 25.0, 0.0],
        "rule_codes": ["SELF_APPROVED", "DUP_EXACT", "DUP_EXACT", "WEEKEND_POSTING", ""],
        "reasons": ["SELF_APPROVED", "DUP_EXACT", "DUP_EXACT", "WEEKEND_POSTING", ""],
        "reason_text": [
            "2 lines; posted and approved by jdoe",
            "2 lines; invoice INV-7 from Globex for 80.00 entered twice (JE-2, JE-3)",
            "2 lines; invoice INV-7 from Globex for 80.00 entered twice (JE-2, JE-3)",
            "2 lines; posted on a Sunday (2025-03-02)",
            "",
        ],
    }
)[list(ENTRY_SCORE_COLUMNS)]


@dataclass
class Journal:
    file_id: uuid.UUID
    job_id: uuid.UUID
    running_job_id: uuid.UUID


def _flags(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["row_number", "rule_code", "severity", "reason", "details", "group_id"])


@pytest.fixture(scope="module")
def journal(seeded, tmp_path_factory) -> Journal:
    engine = get_engine(seeded.settings.database_url)
    path = tmp_path_factory.mktemp("journal") / "journal.csv"
    path.write_text("posting_date,amount,je_number\n2025-03-01,500,JE-1\n")
    data_file, _ = register_file(engine, path, received_via="cli", archive_dir=seeded.settings.archive_dir)
    with engine.begin() as connection:
        replace_transactions(
            connection, data_file.id, LINES, pd.DataFrame({"row_number": [], "raw_values": [], "reason": []})
        )
        mapping = {name: name for name in LINES.columns if name != "row_number"}
        connection.execute(update(data_files).where(data_files.c.id == data_file.id).values(column_mapping=mapping))
    job = jobs.create_job(engine, data_file.id, trigger="cli")
    saver = AnalyticsDBSaver(job, engine)
    saver.save_anomaly_detection_results(
        AnalysisResult(
            "anomaly_detection",
            flags=_flags(
                [
                    (1, "SELF_APPROVED", "high", "Posted by jdoe and approved by jdoe", {}, None),
                    (2, "SELF_APPROVED", "high", "Posted by jdoe and approved by jdoe", {}, None),
                    (6, "WEEKEND_POSTING", "low", "Posted on a Sunday (2025-03-02)", {}, None),
                    (8, "WEEKEND_POSTING", "low", "Posted on a Sunday (2025-03-02)", {}, None),
                ]
            ),
        )
    )
    saver.save_duplicate_analysis(
        AnalysisResult(
            "duplicate_analysis",
            flags=_flags([(5, "DUP_EXACT", "high", "Same vendor Globex ... as row 3", {"twin_row_number": 3}, "g1")]),
        )
    )
    models = {name: 0.5 for name in ("isolation_forest_score", "random_forest_score", "dbscan_score", "rule_score")}
    scores = LINES[["row_number", "transaction_id"]].assign(risk_score=LINE_RISK, **models, reasons="", reason_text="")
    saver.save_ml_processing_result(ModelResult("ensemble"), "ensemble", scores=scores)
    saver.save_entry_scores(ENTRIES)
    saver.finalize_processing(True)
    running = jobs.create_job(engine, data_file.id, trigger="cli")
    return Journal(data_file.id, job.id, running.id)


def entries_of(client, query: str) -> dict:
    return ok(client.get(f"/api/flagged-entries/?{query}"))


def test_entries_come_highest_risk_first_with_their_lines_in_file_order(client, journal):
    body = entries_of(client, f"file_id={journal.file_id}")
    assert body["job_id"] == str(journal.job_id) and body["note"] is None
    assert body["total"] == 4  # JE-5 has no reason: not flagged
    assert [(e["je_number"], e["risk_score"]) for e in body["entries"]] == [
        ("JE-1", 100.0),
        ("JE-3", 75.0),
        ("JE-2", 50.0),
        ("+JE-4", 25.0),
    ]
    first = body["entries"][0]
    assert first["rule_codes"] == first["reasons"] == ["SELF_APPROVED"]
    assert first["reason_text"] == "2 lines; posted and approved by jdoe"
    assert (first["line_count"], first["debit_total"], first["credit_total"]) == (2, 500.0, 500.0)
    assert first["posting_date"].startswith("2025-03-01")
    expense, payable = first["lines"]
    assert expense == {
        "row_number": 1,
        "transaction_id": "T1",
        "account": "6100",
        "account_name": "Utilities",
        "user": "jdoe",
        "vendor": "Acme",
        "invoice_number": None,
        "description": "Power",
        "amount": 500.0,
        "debit": 500.0,
        "credit": None,
        "risk_score": 40.0,
        "rule_codes": ["SELF_APPROVED"],
    }
    assert (payable["row_number"], payable["debit"], payable["credit"], payable["risk_score"]) == (2, None, 500.0, 99.0)
    # Interleaved entries get their own lines and only theirs.
    by_number = {e["je_number"]: e for e in body["entries"]}
    assert [line["row_number"] for line in by_number["JE-3"]["lines"]] == [5, 7]
    assert [line["row_number"] for line in by_number["+JE-4"]["lines"]] == [6, 8]
    # The earlier entry of the duplicate takes part in it, though its lines carry no flag.
    assert by_number["JE-2"]["rule_codes"] == ["DUP_EXACT"]
    assert [line["rule_codes"] for line in by_number["JE-2"]["lines"]] == [[], []]
    assert [line["rule_codes"] for line in by_number["JE-3"]["lines"]] == [["DUP_EXACT"], []]


def test_entries_filter_by_risk_and_whole_rule_codes_and_page(client, journal):
    base = f"file_id={journal.file_id}"
    assert [e["je_number"] for e in entries_of(client, f"{base}&min_risk=60")["entries"]] == ["JE-1", "JE-3"]
    duplicates = entries_of(client, f"{base}&rule=DUP_EXACT")
    assert duplicates["total"] == 2 and [e["je_number"] for e in duplicates["entries"]] == ["JE-3", "JE-2"]
    for part in ("DUP", "EXACT", "DUP_EXACT;", "%", "_"):
        assert entries_of(client, f"{base}&rule={part}")["total"] == 0, part
    page = entries_of(client, f"{base}&limit=2&offset=1")
    assert page["total"] == 4 and (page["limit"], page["offset"]) == (2, 1)
    assert [e["je_number"] for e in page["entries"]] == ["JE-3", "JE-2"]
    assert entries_of(client, f"{base}&offset=4")["entries"] == []


def test_a_file_without_entries_answers_an_empty_list_with_a_note(client, seeded, journal):
    body = entries_of(client, f"file_id={seeded.file_id}")
    assert (body["total"], body["entries"], body["note"]) == (0, [], NO_ENTRY_NUMBERS)
    running = entries_of(client, f"file_id={journal.file_id}&job_id={journal.running_job_id}")
    assert (running["entries"], running["note"]) == ([], NO_ENTRY_SCORES)
    # A filter that matches nothing is not a file without entries.
    assert entries_of(client, f"file_id={journal.file_id}&rule=ROUND_AMOUNT")["note"] is None


@pytest.mark.parametrize(
    "query, status",
    [
        ("?min_risk=5", 400),
        ("?file_id=not-a-uuid", 400),
        ("?file_id={file}&min_risk=101", 400),
        ("?file_id={file}&min_risk=nan", 400),
        ("?file_id={file}&limit=0", 400),
        ("?file_id={file}&offset=-1", 400),
        ("?file_id={file}&rule=" + "X" * 51, 400),
        (f"?file_id={UNKNOWN}", 404),
        ("?file_id={bare}", 404),
        ("?file_id={file}&job_id=" + UNKNOWN, 404),
    ],
)
def test_flagged_entries_errors(client, seeded, journal, query, status):
    path = f"/api/flagged-entries/{query.format(file=journal.file_id, bare=seeded.bare_file_id)}"
    error(client.get(path), status)


def test_the_entry_export_lists_every_entry_highest_risk_first_with_formulas_neutralised(client, journal):
    response = client.get(f"/api/exports/?file_id={journal.file_id}&what=entries&format=csv")
    assert response.status_code == 200 and 'filename="fintrace-entries-' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["je_number"], float(r["risk_score"])) for r in rows] == [
        ("JE-1", 100.0),
        ("JE-3", 75.0),
        ("JE-2", 50.0),
        ("'+JE-4", 25.0),
        ("JE-5", 0.0),
    ]
    assert rows[1]["reason_text"] == "2 lines; invoice INV-7 from Globex for 80.00 entered twice (JE-2, JE-3)"
    assert list(rows[0])[:3] == ["je_number", "risk_score", "line_count"]

    workbook = client.get(f"/api/exports/?file_id={journal.file_id}&what=entries&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    header, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["je_number", "risk_score", "line_count"]
    assert [v[0] for v in values] == ["JE-1", "JE-3", "JE-2", "'+JE-4", "JE-5"]
    assert values[0][1:3] == [100, 2]


def test_the_export_command_writes_the_entries(journal, seeded, tmp_path, monkeypatch, capsys):
    from fintrace_pipeline import cli

    monkeypatch.setenv("FINTRACE_DATABASE_URL", seeded.settings.database_url)
    out = tmp_path / "entries.csv"
    assert cli.main(["export", "entries", "--file-id", str(journal.file_id), "--out", str(out)]) == 0
    assert "wrote 5 rows" in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["je_number"] for r in rows] == ["JE-1", "JE-3", "JE-2", "'+JE-4", "JE-5"]


PAIRS = 1_050  # two-line entries, more than one page of the largest size
LONG = 140  # lines of one entry interleaved with another's, more than an entry shows


@pytest.fixture(scope="module")
def big_journal(seeded, tmp_path_factory) -> Journal:
    engine = get_engine(seeded.settings.database_url)
    path = tmp_path_factory.mktemp("big") / "big.csv"
    path.write_text("posting_date,amount,je_number\n2025-03-01,1,BIG\n")
    data_file, _ = register_file(engine, path, received_via="cli", archive_dir=seeded.settings.archive_dir)
    numbers = [f"P-{i // 2:05d}" for i in range(2 * PAIRS)] + ["LONG", "OTHER"] * LONG
    count = len(numbers)
    lines = pd.DataFrame(
        {
            "row_number": range(1, count + 1),
            "posting_date": pd.Timestamp("2025-03-01"),
            "amount": [10.0 if i % 2 == 0 else -10.0 for i in range(count)],
            "transaction_id": [f"B{i}" for i in range(1, count + 1)],
            "je_number": numbers,
        }
    )
    with engine.begin() as connection:
        replace_transactions(
            connection, data_file.id, lines, pd.DataFrame({"row_number": [], "raw_values": [], "reason": []})
        )
    job = jobs.create_job(engine, data_file.id, trigger="cli")
    saver = AnalyticsDBSaver(job, engine)
    models = {name: 0.5 for name in ("isolation_forest_score", "random_forest_score", "dbscan_score", "rule_score")}
    # The long entry's lines grow riskier down the file.
    risk = [50.0] * (2 * PAIRS) + [v for i in range(LONG) for v in (i * 100.0 / LONG, 1.0)]
    scores = lines[["row_number", "transaction_id"]].assign(risk_score=risk, **models, reasons="", reason_text="")
    saver.save_ml_processing_result(ModelResult("ensemble"), "ensemble", scores=scores)
    by_entry = lines.groupby("je_number", sort=False)["row_number"].agg(["size", "min"])
    saver.save_entry_scores(
        pd.DataFrame(
            {
                "je_number": by_entry.index,
                "line_count": by_entry["size"].to_numpy(),
                "first_row_number": by_entry["min"].to_numpy(),
                "posting_date": pd.Timestamp("2025-03-01"),
                "debit_total": 10.0,
                "credit_total": 10.0,
                "risk_score": [100.0 if n == "LONG" else 50.0 for n in by_entry.index],
                "rule_codes": "",
                "reasons": "MODEL",
                "reason_text": "2 lines; row 1: something",
            }
        )[list(ENTRY_SCORE_COLUMNS)]
    )
    saver.finalize_processing(True)
    return Journal(data_file.id, job.id, job.id)


def test_a_page_of_a_thousand_entries_has_every_entrys_lines_and_a_long_entry_its_riskiest(client, big_journal):
    body = entries_of(client, f"file_id={big_journal.file_id}&limit=1000")
    assert body["total"] == PAIRS + 2 and len(body["entries"]) == 1000
    long_entry, *pairs = body["entries"]
    assert long_entry["je_number"] == "LONG" and long_entry["line_count"] == LONG
    shown = [line["row_number"] for line in long_entry["lines"]]
    assert len(shown) == MAX_LINES_PER_ENTRY and shown == sorted(shown)
    # The riskiest of its lines: the last ones of the file (the entry's lines are every other row).
    assert shown == [2 * PAIRS + 2 * i + 1 for i in range(LONG - MAX_LINES_PER_ENTRY, LONG)]
    for entry in pairs:
        first = entry["first_row_number"]
        assert [line["row_number"] for line in entry["lines"]] == [first, first + 1], entry["je_number"]
    rest = entries_of(client, f"file_id={big_journal.file_id}&limit=1000&offset=1000")
    assert len(rest["entries"]) == PAIRS + 2 - 1000
    other = next(e for e in rest["entries"] + pairs if e["je_number"] == "OTHER")
    assert [line["row_number"] for line in other["lines"]][:3] == [2 * PAIRS + 2, 2 * PAIRS + 4, 2 * PAIRS + 6]
    assert len(other["lines"]) == MAX_LINES_PER_ENTRY
