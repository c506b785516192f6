"""`fintrace sample` and GET /api/sample/ on a stored file, against real SQLite and PostgreSQL: the same
selection as the one re-performed by hand in the sampling tests, written with its parameters."""

import csv
import io
import json
import uuid

import pandas as pd
import pytest
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.cli import main
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.persistence.files import record_ingest, register_file
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline_tests.analytics.test_sampling import POPULATION


@pytest.fixture
def stored(fintrace_env, engine, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("date,amount,vendor\n2024-01-05,100,A\n")
    data_file = register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a", source="acme")[0]
    with engine.begin() as connection:
        replace_transactions(
            connection, data_file.id, POPULATION, pd.DataFrame({"row_number": [], "raw_values": [], "reason": []})
        )
        mapping = {"posting_date": "date", "amount": "amount", "vendor": "vendor"}
        record_ingest(connection, data_file.id, column_mapping=mapping, rows_loaded=len(POPULATION))
    return data_file


def test_sample_writes_the_selection_with_its_parameters(stored, tmp_path, capsys):
    out = tmp_path / "out" / "sample.json"
    code = main(["sample", "--file-id", str(stored.id), "--size", "4", "--seed", "0", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.startswith("sampled 3 lines (1 top stratum, 2 sampling points) from 6 lines totalling 2,300.00")
    sample = json.loads(out.read_text())
    assert sample["sha256"] == stored.sha256
    assert sample["parameters"]["sampling_interval"] == 575.0 and sample["parameters"]["random_start"] == 366.25
    assert [i["row_number"] for i in sample["items"]] == [4, 5, 7]
    as_csv = tmp_path / "sample.csv"
    assert main(["sample", "--file-id", str(stored.id), "--size", "4", "--out", str(as_csv)]) == 0
    parameters, items = as_csv.read_text().split("\n\n")
    values = dict(list(csv.reader(io.StringIO(parameters)))[1:])
    assert values["sampling_interval"] == "575.0" and values["seed"] == "0" and values["sample_size"] == "3"
    rows = list(csv.DictReader(io.StringIO(items)))
    assert [(r["row_number"], r["selection"], r["vendor"]) for r in rows] == [
        ("4", "top stratum", "D"),
        ("5", "sampling point", "E"),
        ("7", "sampling point", "G"),
    ]


def test_sample_refuses_bad_input_in_words(stored, tmp_path, capsys):
    out = str(tmp_path / "s.json")
    assert main(["sample", "--file-id", str(stored.id), "--confidence", "0.95", "--out", out]) == 1
    assert "give a sample size, or both a confidence" in capsys.readouterr().err
    assert main(["sample", "--file-id", str(uuid.uuid4()), "--size", "3", "--out", out]) == 1
    assert "no data file" in capsys.readouterr().err
    assert main(["sample", "--file-id", str(stored.id), "--size", "3", "--out", str(tmp_path / "s.txt")]) == 1
    assert "--out must end in .json or .csv" in capsys.readouterr().err


def test_the_api_gives_the_same_sample(stored):
    with TestClient(create_app(get_settings())) as client:
        answer = client.get("/api/sample/", params={"file_id": str(stored.id), "confidence": 0.95, "tolerable": 600})
        assert answer.status_code == 200
        sample = answer.json()["sample"]
        assert sample["parameters"]["sampling_interval"] == 200.28 and sample["parameters"]["random_start"] == 127.57
        assert [i["row_number"] for i in sample["items"]] == [2, 4, 5, 6, 7]
        by_size = client.get("/api/sample/", params={"file_id": str(stored.id), "size": 4, "seed": 0}).json()
        assert [i["row_number"] for i in by_size["sample"]["items"]] == [4, 5, 7]
        both = client.get("/api/sample/", params={"file_id": str(stored.id), "size": 4, "confidence": 0.9})
        assert both.status_code == 400 and "not both" in both.json()["error"]
        unknown = client.get("/api/sample/", params={"file_id": str(uuid.uuid4()), "size": 4})
        assert unknown.status_code == 404
