"""Bulk inserts store exactly the frame's values, NULLs and text included, on both backends (binary
COPY for the score table on PostgreSQL, across several chunks)."""

import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from fintrace_pipeline.db import binary_copy, bulk
from fintrace_pipeline.db.schema import transaction_flags, transaction_scores
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file

TEXTS = ["", None, "plain", 'quote " comma , semicolon ; newline \n tab \t', "€ ünïcödé 漢字 🙂", "\\N", "x" * 5000]


@pytest.fixture
def job(engine, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("x\n")
    data_file = register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a")[0]
    return jobs.create_job(engine, data_file.id, trigger="test")


def _scores(job, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dbscan = rng.random(n)
    dbscan[::5] = np.nan
    return pd.DataFrame(
        {
            "processing_job_id": job.id,
            "data_file_id": job.data_file_id,
            "row_number": np.arange(1, n + 1),
            "transaction_id": pd.array([TEXTS[i % len(TEXTS)] for i in range(n)], dtype="string"),
            "risk_score": np.round(rng.random(n) * 100, 4),
            "isolation_forest_score": rng.random(n),
            "random_forest_score": [-0.0, 1e-300, 1.5e300, -2.25] * (n // 4) + [0.5] * (n % 4),
            "dbscan_score": dbscan,
            "rule_score": None,
            "reasons": pd.array([TEXTS[(i + 3) % len(TEXTS)] for i in range(n)], dtype="string"),
            "reason_text": "",
        }
    )


def test_scores_round_trip_exactly_across_chunks(engine, job, monkeypatch):
    monkeypatch.setattr(bulk, "COPY_CHUNK_ROWS", 7)  # several chunks, the last one short
    frame = _scores(job, 45)
    with engine.begin() as connection:
        assert bulk.insert_frame(connection, transaction_scores, frame) == 45
    columns = [c for c in frame.columns if c not in ("processing_job_id", "data_file_id")]
    with engine.connect() as connection:
        stored = connection.execute(
            select(*(transaction_scores.c[c] for c in columns)).order_by(transaction_scores.c.row_number)
        ).all()
    for expected, row in zip(frame[columns].itertuples(index=False), stored, strict=True):
        for name, want, got in zip(columns, expected, row, strict=True):
            if want is None or want is pd.NA or (isinstance(want, float) and math.isnan(want)):
                assert got is None, (name, want, got)
            else:
                assert got == want, (name, want, got)


def test_only_tables_of_plain_column_types_use_binary_rows():
    assert binary_copy.encodable(transaction_scores, [c.name for c in transaction_scores.columns])
    assert not binary_copy.encodable(transaction_flags, ["processing_job_id", "details"])  # JSON
