"""Journal-entry scores written by the ML step of the Dagster job, on real SQLite and PostgreSQL."""

import pandas as pd
from dagster import AssetKey, DagsterInstance
from sqlalchemy import select

from fintrace_pipeline.db.schema import entry_scores, transaction_flags, transactions
from fintrace_pipeline.findings import LIST_SEPARATOR
from fintrace_pipeline.generate import GeneratedLedger, generate_ledger, write_ledger
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings

# The ``ledger_file`` fixture: generate_ledger(2_000, seed=3) and two rows ingest rejects.
LEDGER_ROWS, LEDGER_SEED = 2_000, 3


def _read(engine, query) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def test_every_journal_entry_gets_one_score_from_its_lines(fintrace_env, engine, ledger_file):
    instance = DagsterInstance.ephemeral()
    outcome = process_file(ledger_file, get_settings(), instance=instance)
    assert outcome.summary["job"]["status"] == "COMPLETED", outcome.summary["job"]["error_message"]
    lines = _read(
        engine,
        select(transactions.c.row_number, transactions.c.je_number).where(
            transactions.c.data_file_id == outcome.data_file_id
        ),
    )
    entries = _read(engine, select(entry_scores).where(entry_scores.c.processing_job_id == outcome.job_id))
    flags = _read(
        engine,
        select(transaction_flags.c.row_number, transaction_flags.c.rule_code).where(
            transaction_flags.c.processing_job_id == outcome.job_id
        ),
    )

    per_entry = lines.groupby("je_number")["row_number"].agg(["size", "min"])
    stored = entries.set_index("je_number")
    assert set(stored.index) == set(per_entry.index)
    assert (stored.loc[per_entry.index, "line_count"].to_numpy() == per_entry["size"].to_numpy()).all()
    assert (stored.loc[per_entry.index, "first_row_number"].to_numpy() == per_entry["min"].to_numpy()).all()
    assert (entries["data_file_id"] == outcome.data_file_id).all()
    assert entries["risk_score"].between(0, 100).all() and entries["risk_score"].max() == 100.0

    # The injected entries: each names its finding among its reasons and ranks in the file's top tenth.
    labels = generate_ledger(LEDGER_ROWS, seed=LEDGER_SEED).labels
    entry_of = lines.set_index("row_number")["je_number"]
    for kind in ("SELF_APPROVED", "UNBALANCED_ENTRY", "DUP_EXACT", "DUP_INVOICE_NORMALIZED"):
        injected = set(entry_of[labels.loc[labels["kind"] == kind, "row_number"]])
        assert injected, kind
        for number in injected:
            assert kind in stored.loc[number, "reasons"].split(LIST_SEPARATOR), (kind, number)
            assert stored.loc[number, "risk_score"] >= 90.0, (kind, number, stored.loc[number, "reason_text"])
    # Both entries of an exact duplicate take part in it, though only the later one's lines are flagged.
    duplicate_rows = labels.loc[labels["kind"] == "DUP_EXACT", "row_number"]
    assert len(set(entry_of[duplicate_rows])) == 2
    flagged = set(flags.loc[flags["rule_code"] == "DUP_EXACT", "row_number"]) & set(duplicate_rows)
    assert flagged and len(set(entry_of[sorted(flagged)])) == 1
    # An entry without any finding or model reason has none of its own.
    unremarkable = stored[stored["reasons"] == ""]
    assert len(unremarkable) and (unremarkable["reason_text"] == "").all() and (unremarkable["rule_codes"] == "").all()

    event = instance.get_latest_materialization_event(AssetKey("ml_ensemble"))
    assert event.asset_materialization.metadata["entries"].value == len(entries)


def test_a_file_without_entry_numbers_stores_no_entry_scores(fintrace_env, engine, tmp_path):
    generated = generate_ledger(1_200, seed=8)
    path = tmp_path / "register.csv"
    write_ledger(GeneratedLedger(generated.ledger.drop(columns=["JE Number"]), generated.labels), path)
    outcome = process_file(path, get_settings(), instance=DagsterInstance.ephemeral())
    assert outcome.summary["job"]["status"] == "COMPLETED", outcome.summary["job"]["error_message"]
    assert outcome.summary["ml_results"]["ensemble"]["processing_status"] == "COMPLETED"
    stored = _read(engine, select(entry_scores).where(entry_scores.c.processing_job_id == outcome.job_id))
    assert stored.empty
