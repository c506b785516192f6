"""The per-source history on real SQLite and PostgreSQL: each file's share stored and replaced whole,
read back summed over exactly the files of the source whose data starts earlier, and the documents
looked up by their keys."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from fintrace_pipeline.analytics.history import file_contribution
from fintrace_pipeline.db.schema import history_documents, history_files, history_monthly
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.history import file_periods, load_history, record_contribution
from fintrace_pipeline_tests.analytics.history.frames import numbered


def month_frame(m: int, extra: float = 0.0) -> pd.DataFrame:
    return numbered(
        pd.DataFrame(
            {
                "posting_date": [f"2024-{m:02d}-03", f"2024-{m:02d}-12", f"2024-{m:02d}-20"],
                "amount": [100.0, -250.0 - extra, 40.0],
                "vendor": ["Acme Ltd", "Beta", "Acme Ltd"],
                "invoice_number": [f"A-{m}", f"B-{m}", None],
                "user": ["ann", "ann", "bob"],
                "account": ["6000", "6100", "6000"],
            }
        )
    )


@pytest.fixture
def files(engine, tmp_path):
    """Four registered files: months 1-3 of source acme, and month 1 of source other."""
    made = {}
    for name, source in (("m1", "acme"), ("m2", "acme"), ("m3", "acme"), ("o1", "other")):
        path = tmp_path / f"{name}.csv"
        path.write_text(f"date,amount\n2024-01-01,{name}\n")
        made[name] = register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a", source=source)[0]
    return made


def record(engine, data_file, frame):
    with engine.begin() as connection:
        record_contribution(connection, data_file.id, data_file.source, file_contribution(frame))


def history_for(engine, data_file, frame, amount_days=None):
    contribution = file_contribution(frame)
    with engine.connect() as connection:
        return load_history(
            connection,
            data_file.source,
            data_file.id,
            contribution.period_start,
            contribution.documents,
            amount_days=amount_days,
        )


def counts(engine, data_file) -> tuple[int, int, int]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(select(func.count()).select_from(t).where(t.c.data_file_id == data_file.id)).scalar_one()
            for t in (history_files, history_monthly, history_documents)
        )


def test_a_file_reads_the_summed_shares_of_its_sources_earlier_files(engine, files):
    record(engine, files["m1"], month_frame(1))
    record(engine, files["m2"], month_frame(2, extra=50.0))
    record(engine, files["o1"], month_frame(1, extra=1_000.0))
    history = history_for(engine, files["m3"], month_frame(3))
    assert history.files["file_name"].tolist() == ["m1.csv", "m2.csv"]
    monthly = history.monthly.set_index(["kind", "key", "month"])
    # Beta's gross amount per month: 250 in January, 300 in February; the other source's 1,250 is not there.
    assert monthly.loc[("vendor", "BETA", "2024-01"), "total"] == 250.0
    assert monthly.loc[("vendor", "BETA", "2024-02"), "total"] == 300.0
    assert monthly.loc[("total", "", "2024-02"), "rows"] == 3
    assert monthly.loc[("user_account", "bob → 6000", "2024-01"), "rows"] == 1
    assert pd.Timestamp(monthly.loc[("vendor", "ACME", "2024-01"), "last_date"]) == pd.Timestamp("2024-01-20")
    # Documents: only those sharing a key with month 3: Acme's 40.00 and 100.00 of both months, Beta's
    # 250.00 of January (February's was 300.00); no invoice number recurs.
    found = history.documents
    assert set(found["kind"]) == {"amount"}
    assert sorted(zip(found["match_key"], found["file_name"], strict=True)) == [
        ("ACME|10000", "m1.csv"),
        ("ACME|10000", "m2.csv"),
        ("ACME|4000", "m1.csv"),
        ("ACME|4000", "m2.csv"),
        ("BETA|25000", "m1.csv"),
    ]


def test_amount_documents_are_read_only_within_their_window(engine, files):
    record(engine, files["m1"], month_frame(1))
    record(engine, files["m2"], month_frame(2, extra=50.0))
    # Month 3 starts on 3 March: 25 days back reach 7 February, so February's Acme lines of the 12th
    # and 20th (40.00 on the 20th, 100.00 on the 3rd is too early) and nothing of January.
    found = history_for(engine, files["m3"], month_frame(3), amount_days=25).documents
    assert sorted(zip(found["match_key"], found["file_name"], found["posting_date"].dt.day, strict=True)) == [
        ("ACME|4000", "m2.csv", 20)
    ]
    everything = history_for(engine, files["m3"], month_frame(3)).documents
    assert len(everything) == 5


def test_recording_a_file_again_replaces_its_share(engine, files):
    record(engine, files["m1"], month_frame(1))
    first = counts(engine, files["m1"])
    record(engine, files["m1"], month_frame(1, extra=10.0))
    assert counts(engine, files["m1"]) == first
    history = history_for(engine, files["m2"], month_frame(2))
    beta = history.monthly.set_index(["kind", "key", "month"]).loc[("vendor", "BETA", "2024-01")]
    assert (beta["rows"], beta["total"]) == (1, 260.0)


def test_a_file_is_compared_only_with_files_whose_data_starts_before_it(engine, files):
    # Recorded in upload order m3, m1, m2; read for m2, only January's file comes before it.
    record(engine, files["m3"], month_frame(3))
    record(engine, files["m1"], month_frame(1))
    history = history_for(engine, files["m2"], month_frame(2))
    assert history.files["file_name"].tolist() == ["m1.csv"]
    assert sorted(history.monthly["month"].unique()) == ["2024-01"]
    # The first month has nothing before it, even with later months recorded.
    assert history_for(engine, files["m1"], month_frame(1)).empty
    with engine.connect() as connection:
        periods = file_periods(connection, [files["m1"].id, files["m2"].id, files["m3"].id])
    assert periods == {files["m1"].id: pd.Timestamp("2024-01-03"), files["m3"].id: pd.Timestamp("2024-03-03")}
