"""The reference_checks asset through Dagster on real SQLite and PostgreSQL: a source's newest lists
are read, the findings stored and read by the ML stage; a source without lists is SKIPPED."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, materialize
from sqlalchemy import select

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import analytics_processing_results, transaction_flags, transaction_scores
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.ingest import ingest_file
from fintrace_pipeline.reference_import import add_reference_list
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings

IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    path = tmp_path_factory.mktemp("refs") / "ledger.csv"
    write_ledger(generate_ledger(1_500, seed=5), path)
    return path, ingest_file(path, max_decompressed_bytes=2**30, max_rows=10**6).transactions


def write_lists(folder: Path, transactions: pd.DataFrame) -> tuple[Path, Path, dict]:
    """A vendor master of every vendor but the last, the first of them on an employee's IBAN, the
    vendor of the largest payment added ten days before its first payment of 10,000 or more; and the
    employee list."""
    vendors = sorted(transactions["vendor"].dropna().unique())
    listed = vendors[:-1]
    paid = transactions[transactions["vendor"].isin(listed)]
    vendor = paid.loc[paid["amount"].abs().idxmax(), "vendor"]
    large = paid[(paid["vendor"] == vendor) & (paid["amount"].abs() >= 10_000)]
    first = large.sort_values(["posting_date", "row_number"]).iloc[0]
    added = (first["posting_date"] - pd.Timedelta(days=10)).strftime("%d.%m.%Y")
    master = folder / "lieferanten.csv"
    with master.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Lieferantennummer", "Lieferantenname", "IBAN", "Angelegt am"])
        for i, name in enumerate(listed):
            writer.writerow([f"K{i:04d}", name, IBAN if i == 0 else "", added if name == vendor else "01.01.2019"])
    employees = folder / "employees.csv"
    employees.write_text(f"Employee ID,Employee Name,Bank Account\nE-17,Jana Novak,{IBAN.replace(' ', '')}\n")
    return master, employees, {"missing": vendors[-1], "shared": listed[0], "new": first}


def stage_rows(engine, job_id):
    with engine.connect() as connection:
        result = connection.execute(
            select(analytics_processing_results).where(
                analytics_processing_results.c.processing_job_id == job_id,
                analytics_processing_results.c.analytics_type == "reference_checks",
            )
        ).one()
        flags = pd.DataFrame(
            connection.execute(
                select(transaction_flags).where(
                    transaction_flags.c.processing_job_id == job_id,
                    transaction_flags.c.analytics_type == "reference_checks",
                )
            )
            .mappings()
            .all()
        )
        scores = pd.DataFrame(
            connection.execute(
                select(transaction_scores.c.row_number, transaction_scores.c.rule_score).where(
                    transaction_scores.c.processing_job_id == job_id
                )
            ).all(),
            columns=["row_number", "rule_score"],
        )
    return result, flags, scores


def test_the_stage_checks_a_file_against_its_sources_newest_lists(fintrace_env, database_url, ledger, tmp_path):
    path, transactions = ledger
    settings = get_settings()
    engine = get_engine(database_url)
    master, employees, expected = write_lists(tmp_path, transactions)
    # An older version of the master lists every vendor; the newest one (version 2) is the one used.
    everyone = tmp_path / "everyone.csv"
    everyone.write_text("Vendor Name\n" + "\n".join(sorted(transactions["vendor"].dropna().unique())) + "\n")
    assert add_reference_list(engine, settings, everyone, kind="vendor_master", source="acme")["version"] == 1
    assert add_reference_list(engine, settings, master, kind="vendor_master", source="acme")["version"] == 2
    add_reference_list(engine, settings, employees, kind="employees", source="acme")

    outcome = process_file(path, settings, source="acme", instance=DagsterInstance.ephemeral())
    assert outcome.summary["job"]["status"] == "COMPLETED"
    result, flags, scores = stage_rows(engine, outcome.job_id)
    assert result.processing_status == "COMPLETED"
    assert result.risk_assessment["lists"]["vendor_master_version"]["version"] == 2

    vendor_of = transactions.set_index("row_number")["vendor"]
    missing = flags[flags["rule_code"] == "VENDOR_NOT_IN_MASTER"]
    assert set(vendor_of[missing["row_number"]]) == {expected["missing"]}
    assert len(missing) == int((transactions["vendor"] == expected["missing"]).sum())
    shared = flags[flags["rule_code"] == "VENDOR_SHARES_EMPLOYEE_DETAILS"]
    assert set(vendor_of[shared["row_number"]]) == {expected["shared"]}
    assert shared["reason"].iloc[0].endswith(f"has the same bank account as employee Jana Novak (E-17): {IBAN}")
    new = flags[flags["rule_code"] == "VENDOR_ADDED_BEFORE_LARGE_PAYMENT"]
    assert new["row_number"].tolist() == [int(expected["new"]["row_number"])]
    assert "10 days after it was added to the vendor master" in new["reason"].iloc[0]
    # The ML stage read the findings: the rows of the high-severity finding rank above every row
    # without a finding of any stage in its rule score.
    with engine.connect() as connection:
        any_flag = set(
            connection.execute(
                select(transaction_flags.c.row_number).where(transaction_flags.c.processing_job_id == outcome.job_id)
            ).scalars()
        )
    by_row = scores.set_index("row_number")["rule_score"]
    unflagged = by_row[sorted(set(by_row.index) - any_flag)]
    assert len(unflagged) > 100
    assert unflagged.max() < by_row[sorted(shared["row_number"])].min()


def test_a_source_without_lists_is_skipped_with_the_reason(fintrace_env, database_url, ledger):
    path, _ = ledger
    settings = get_settings()
    instance = DagsterInstance.ephemeral()
    outcome = process_file(path, settings, source="beta", instance=instance)
    result, flags, _ = stage_rows(get_engine(database_url), outcome.job_id)
    assert result.processing_status == "SKIPPED"
    assert result.error_message.startswith("source 'beta' has no vendor master or employee list; add one with")
    assert flags.empty
    # Re-materialised alone once the source has a list, the stage completes under the same job.
    run = instance.get_run_by_id(outcome.run_id)
    master = path.parent / "beta_master.csv"
    master.write_text("Vendor Name\nNobody Ltd\n")
    add_reference_list(get_engine(database_url), settings, master, kind="vendor_master", source="beta")
    rerun = materialize(
        PER_FILE_ASSETS,
        selection=["reference_checks"],
        partition_key=str(outcome.data_file_id),
        instance=instance,
        resources=fintrace_resources(settings),
        tags=dict(run.tags),
    )
    assert rerun.success
    result, flags, _ = stage_rows(get_engine(database_url), outcome.job_id)
    assert result.processing_status == "COMPLETED"
    assert set(flags["rule_code"]) == {"VENDOR_NOT_IN_MASTER"}
