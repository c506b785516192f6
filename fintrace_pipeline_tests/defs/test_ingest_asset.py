"""The ingest asset's record on the data_files row: mapping details, warnings, and what is kept
when no row can be loaded."""

from pathlib import Path

from dagster import DagsterInstance, materialize
from sqlalchemy import select

from fintrace_pipeline.db.schema import data_files, file_processing_jobs, processing_job_trackers
from fintrace_pipeline.db.transactions import load_rejected
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.defs.partitions import data_file_partitions
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.settings import get_settings


def ingest_only(engine, path: Path):
    data_file, _ = register_file(engine, path, received_via="test", archive_dir=get_settings().archive_dir)
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(data_file_partitions.name, [str(data_file.id)])
    result = materialize(
        PER_FILE_ASSETS,
        selection=["ingest"],
        partition_key=str(data_file.id),
        instance=instance,
        resources=fintrace_resources(get_settings()),
        raise_on_error=False,
    )
    with engine.connect() as connection:
        row = connection.execute(select(data_files).where(data_files.c.id == data_file.id)).one()
        job = connection.execute(
            select(file_processing_jobs).where(file_processing_jobs.c.data_file_id == data_file.id)
        ).one()
        steps = connection.execute(
            select(processing_job_trackers.c.step_details).where(processing_job_trackers.c.processing_job_id == job.id)
        ).scalar_one()
    return result, row, steps["ingest"]


def test_the_mapping_its_confidence_close_runner_up_and_unused_columns_are_stored(fintrace_env, engine, tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(
        "Department,Service Area,Payment Date,Amount Paid,Supplier Name,Body Name\n"
        "Resources,Finance,14/02/2024,£322.50,Redacted personal data,Council\n"
        "Resources,Payroll,15/02/2024,£10.00,Acme Ltd,Council\n"
        'Housing,Repairs,16/02/2024,"£1,250.00",N/A,Council\n'
    )
    result, row, step = ingest_only(engine, path)
    assert result.success and step["status"] == "COMPLETED"
    assert step["details"]["warnings"] == row.ingest_warnings
    assert row.column_mapping == {
        "posting_date": "Payment Date",
        "amount": "Amount Paid",
        "vendor": "Supplier Name",
        "cost_center": "Service Area",
    }
    details = row.mapping_details
    assert details["posting_date"] == {
        "column": "Payment Date",
        "confidence": 0.85,
        "decided_by": "header",
        "runner_up": None,
    }
    # Two organisational columns read alike: the finer one wins, and the choice is not silent.
    assert details["cost_center"]["decided_by"] == "content"
    assert details["cost_center"]["runner_up"] == {"column": "Department", "confidence": 0.7}
    assert any("cost_center: chose 'Service Area'" in w for w in row.ingest_warnings)
    assert row.unmapped_columns == ["Department", "Body Name"]
    assert (row.rows_read, row.rows_loaded, row.rows_rejected, row.rejection_reasons) == (3, 3, 0, [])


def test_a_file_whose_every_row_is_rejected_keeps_the_rows_reasons_and_mapping(fintrace_env, engine, tmp_path):
    path = tmp_path / "bad_dates.csv"
    path.write_text("Date,Amount,Memo\n" + "".join(f"someday,{i},row {i}\n" for i in range(1, 1_501)))
    result, row, step = ingest_only(engine, path)
    assert not result.success and step["status"] == "FAILED"
    message = step["error"]
    assert message.startswith("bad_dates.csv: every data row was rejected (1,500 rows): unparseable posting date")
    assert "First failing values: row 1: 'Date'='someday'; row 2: 'Date'='someday'" in message
    assert message.endswith("Mapping used: posting_date <- 'Date', amount <- 'Amount', description <- 'Memo'")
    assert row.column_mapping == {"posting_date": "Date", "amount": "Amount", "description": "Memo"}
    assert (row.rows_read, row.rows_loaded, row.rows_rejected) == (1_500, 0, 1_500)
    assert row.rejection_reasons == [{"reason": "unparseable posting date", "rows": 1_500}]
    assert any("'Date' was used although most of its values are not dates" in w for w in row.ingest_warnings)
    with engine.connect() as connection:
        kept = load_rejected(connection, row.id)
    assert len(kept) == 1_000  # a bounded sample of the rejected rows
    assert kept["raw_values"].iloc[0] == {"Date": "someday", "Amount": "1", "Memo": "row 1"}
