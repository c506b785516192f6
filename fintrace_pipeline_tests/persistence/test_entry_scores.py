"""Journal-entry scores stored through AnalyticsDBSaver, on SQLite and PostgreSQL."""

import pandas as pd
import pytest
from sqlalchemy import select

from fintrace_pipeline.db.schema import entry_scores
from fintrace_pipeline.findings import ENTRY_SCORE_COLUMNS
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver


@pytest.fixture
def job(engine, tmp_path):
    source = tmp_path / "ledger.csv"
    source.write_text("date,amount,je\n2024-01-01,5,JE-1\n")
    data_file, _ = register_file(engine, source, received_via="cli", archive_dir=tmp_path / "archive")
    return jobs.create_job(engine, data_file.id, trigger="cli")


def entries(*numbers: str) -> pd.DataFrame:
    count = len(numbers)
    if not count:
        return pd.DataFrame(columns=list(ENTRY_SCORE_COLUMNS))
    return pd.DataFrame(
        {
            "je_number": pd.array(numbers, dtype="string"),
            "line_count": [2 + i for i in range(count)],
            "first_row_number": [10 * i + 1 for i in range(count)],
            "posting_date": pd.to_datetime([f"2025-03-0{i + 1}" for i in range(count)]),
            "debit_total": [1234.5 + i for i in range(count)],
            "credit_total": [1234.5 + i for i in range(count)],
            "risk_score": [100.0 * (count - i) / count for i in range(count)],
            "rule_codes": pd.array(["SELF_APPROVED; ROUND_AMOUNT"] + [""] * (count - 1), dtype="string"),
            "reasons": pd.array(["SELF_APPROVED; ROUND_AMOUNT"] + [""] * (count - 1), dtype="string"),
            "reason_text": pd.array(
                ['2 lines; posted and approved by jdoe; amount 5,000.00 is, "quoted", round'] + [""] * (count - 1),
                dtype="string",
            ),
        }
    )[list(ENTRY_SCORE_COLUMNS)]


def stored(engine, job_id) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(entry_scores).where(entry_scores.c.processing_job_id == job_id).order_by(entry_scores.c.je_number)
        )
        return [dict(row._mapping) for row in rows]


def test_entry_scores_round_trip_and_a_second_save_replaces_the_first(engine, job):
    saver = AnalyticsDBSaver(job, engine)
    assert saver.save_entry_scores(entries("JE-1", "JE-2", "JE-3")) == 3
    assert saver.save_entry_scores(entries("JE-7", "JE-8")) == 2
    rows = stored(engine, job.id)
    assert [r["je_number"] for r in rows] == ["JE-7", "JE-8"]
    first = rows[0]
    assert first["data_file_id"] == job.data_file_id
    assert (first["line_count"], first["first_row_number"], first["debit_total"], first["risk_score"]) == (
        2,
        1,
        1234.5,
        100.0,
    )
    assert first["posting_date"] == pd.Timestamp("2025-03-01").to_pydatetime()
    assert first["reasons"] == "SELF_APPROVED; ROUND_AMOUNT"
    assert first["reason_text"] == '2 lines; posted and approved by jdoe; amount 5,000.00 is, "quoted", round'
    assert rows[1]["reason_text"] == "" and rows[1]["risk_score"] == 50.0


@pytest.mark.parametrize("nothing", [None, entries()])
def test_a_file_without_entries_leaves_its_job_none(engine, job, nothing):
    saver = AnalyticsDBSaver(job, engine)
    saver.save_entry_scores(entries("JE-1"))
    assert saver.save_entry_scores(nothing) == 0
    assert stored(engine, job.id) == []


def test_entry_scores_of_one_job_leave_another_jobs_alone(engine, job):
    other = jobs.create_job(engine, job.data_file_id, trigger="cli")
    AnalyticsDBSaver(other, engine).save_entry_scores(entries("JE-5"))
    AnalyticsDBSaver(job, engine).save_entry_scores(entries("JE-1", "JE-2"))
    AnalyticsDBSaver(job, engine).save_entry_scores(None)
    assert [r["je_number"] for r in stored(engine, other.id)] == ["JE-5"]
