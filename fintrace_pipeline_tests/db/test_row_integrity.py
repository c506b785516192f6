"""The million-row tables are tied to their parents by triggers (one check per statement on
PostgreSQL): rows need an existing parent, and deleting the parent deletes them."""

import uuid

import pandas as pd
import pytest
from sqlalchemy import delete, func, select, update

from fintrace_pipeline.db import bulk
from fintrace_pipeline.db.schema import data_files, file_processing_jobs, transaction_scores, transactions
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file


@pytest.fixture
def data_file(engine, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("x\n")
    return register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a")[0]


def _rows(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_number": range(1, n + 1),
            "posting_date": pd.Timestamp("2024-03-01"),
            "amount": [10.0 * i for i in range(1, n + 1)],
        }
    )


def _scores(job) -> pd.DataFrame:
    return pd.DataFrame({"row_number": [1, 2], "risk_score": [5.0, 95.0]}).assign(
        processing_job_id=job.id, data_file_id=job.data_file_id
    )


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_rows_of_an_unknown_file_or_job_are_refused_and_nothing_is_stored(engine, data_file):
    with pytest.raises(Exception, match="is not in data_files"):
        with engine.begin() as connection:
            # A known file's rows and an unknown file's rows in one statement: all or nothing.
            frame = pd.concat([_rows(2).assign(data_file_id=data_file.id), _rows(1).assign(data_file_id=uuid.uuid4())])
            bulk.insert_frame(connection, transactions, frame)
    job = jobs.create_job(engine, data_file.id, trigger="test")
    with pytest.raises(Exception, match="is not in file_processing_jobs"):
        with engine.begin() as connection:
            bulk.insert_frame(connection, transaction_scores, _scores(job).assign(processing_job_id=uuid.uuid4()))
    with pytest.raises(Exception, match="is not in data_files"):
        with engine.begin() as connection:
            replace_transactions(connection, data_file.id, _rows(2), pd.DataFrame())
            connection.execute(update(transactions).values(data_file_id=uuid.uuid4()))
    assert _count(engine, transactions) == 0 and _count(engine, transaction_scores) == 0


def test_deleting_a_file_deletes_its_rows_its_jobs_and_their_scores(engine, data_file, tmp_path):
    other_path = tmp_path / "g.csv"
    other_path.write_text("y\n")
    other = register_file(engine, other_path, received_via="cli", archive_dir=tmp_path / "a")[0]
    kept_job, gone_job = (
        jobs.create_job(engine, other.id, trigger="test"),
        jobs.create_job(engine, data_file.id, trigger="test"),
    )
    with engine.begin() as connection:
        for file, job in ((other, kept_job), (data_file, gone_job)):
            bulk.insert_frame(connection, transactions, _rows(3).assign(data_file_id=file.id))
            bulk.insert_frame(connection, transaction_scores, _scores(job))
    with engine.begin() as connection:
        connection.execute(delete(data_files).where(data_files.c.id == data_file.id))
    with engine.connect() as connection:
        assert set(connection.execute(select(transactions.c.data_file_id)).scalars()) == {other.id}
        assert set(connection.execute(select(transaction_scores.c.processing_job_id)).scalars()) == {kept_job.id}
    assert _count(engine, transactions) == 3 and _count(engine, transaction_scores) == 2

    with engine.begin() as connection:
        connection.execute(delete(file_processing_jobs).where(file_processing_jobs.c.id == kept_job.id))
    assert _count(engine, transaction_scores) == 0 and _count(engine, transactions) == 3
