import pandas as pd
import pytest

from fintrace_pipeline.db.transactions import load_rejected, load_transactions, replace_transactions
from fintrace_pipeline.persistence.files import register_file


@pytest.fixture
def data_file(engine, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("x\n")
    return register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a")[0]


def _frame():
    return pd.DataFrame(
        {
            "row_number": pd.Series([1, 3], dtype="int64"),
            "posting_date": pd.to_datetime(["2024-01-31", "2024-02-01 13:45:10"], format="ISO8601").astype(
                "datetime64[ns]"
            ),
            "entry_date": pd.to_datetime(["2024-02-01 08:00:00.250", None], format="ISO8601").astype("datetime64[ns]"),
            "document_date": pd.to_datetime([None, "2024-01-15"], format="ISO8601").astype("datetime64[ns]"),
            "amount": [1234.56, -0.01],
            "user": pd.Series(["alice", pd.NA], dtype="string"),
            "description": pd.Series(['quote " comma, and\nnewline', "=cmd"], dtype="string"),
            "label": pd.Series([1, pd.NA], dtype="Int64"),
        }
    )


def test_transactions_round_trip_with_canonical_dtypes(engine, data_file):
    rejected = pd.DataFrame(
        {"row_number": [2], "raw_values": [{"Amount": "abc", "Date": "2024-01-01"}], "reason": ["unparseable amount"]}
    )
    with engine.begin() as connection:
        replace_transactions(connection, data_file.id, _frame(), rejected)
    columns = ["row_number", "posting_date", "entry_date", "document_date", "amount", "user", "description", "label"]
    with engine.connect() as connection:
        loaded = load_transactions(connection, data_file.id, columns)
        rejected_back = load_rejected(connection, data_file.id)
    # Columns come back in canonical order (canonical.ALL_COLUMNS), with canonical dtypes.
    expected = _frame()[
        ["row_number", "posting_date", "amount", "entry_date", "document_date", "user", "description", "label"]
    ]
    pd.testing.assert_frame_equal(loaded, expected, check_dtype=True)
    assert rejected_back.to_dict("records") == [
        {"row_number": 2, "raw_values": {"Amount": "abc", "Date": "2024-01-01"}, "reason": "unparseable amount"}
    ]


def test_reingest_replaces_rows_and_absent_columns_stay_absent(engine, data_file):
    with engine.begin() as connection:
        replace_transactions(
            connection, data_file.id, _frame(), pd.DataFrame(columns=["row_number", "raw_values", "reason"])
        )
        replace_transactions(
            connection, data_file.id, _frame().iloc[:1], pd.DataFrame(columns=["row_number", "raw_values", "reason"])
        )
    with engine.connect() as connection:
        loaded = load_transactions(connection, data_file.id, ["posting_date", "amount"])
    assert list(loaded.columns) == ["row_number", "posting_date", "amount"]
    assert loaded["amount"].tolist() == [1234.56]
