from __future__ import annotations

import json

from fintrace_pipeline.cli import main
from fintrace_pipeline.ingest.preview import PREVIEW_ROWS, preview_file

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 10_000_000}


def test_preview_reads_only_the_head_and_shows_parsed_samples(tmp_path):
    path = tmp_path / "gl.csv"
    rows = "".join(f'{i:06d},20.{i % 12 + 1:02d}.2024,S,"1.234,{i % 100:02d}",Redacted\n' for i in range(5_000))
    path.write_text("Belegnummer,Buchungsdatum,Soll/Haben,Betrag,Lieferant\n" + rows)
    preview = preview_file(path, **LIMITS)
    assert preview["rows_sampled"] == PREVIEW_ROWS
    assert (preview["file_format"], preview["encoding"], preview["delimiter"], preview["header_row"]) == (
        "csv",
        "utf-8",
        ",",
        1,
    )
    columns = {c["canonical"]: c for c in preview["columns"]}
    assert columns["posting_date"]["samples"] == ["2024-01-20T00:00:00", "2024-02-20T00:00:00", "2024-03-20T00:00:00"]
    assert columns["amount"]["samples"] == [1234.0, 1234.01, 1234.02]  # decimal comma, debits positive
    assert columns["je_number"]["column"] == "Belegnummer"
    assert columns["debit_credit_indicator"]["column"] == "Soll/Haben"
    # "Redacted" is a placeholder: the vendor column has no values, so nothing maps to it.
    assert "vendor" not in columns and preview["unmapped_columns"] == ["Lieferant"]
    assert preview["problem"] is None and preview["missing"] == []


def test_a_file_that_cannot_be_mapped_gets_a_mapping_to_paste(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("When,How much,Who\n2024-01-02,5.00,ann\n2024-01-03,7.50,bob\n")
    preview = preview_file(path, **LIMITS)
    assert preview["missing"] == ["posting_date", "amount"]
    assert "closest: 'When' (e.g. '2024-01-02', '2024-01-03')" in preview["problem"]
    assert preview["problem"].endswith("""--mapping '{"posting_date": "When", "amount": "How much"}'""")
    mapped = preview_file(path, user_mapping={"posting_date": "When", "amount": "How much"}, **LIMITS)
    assert mapped["missing"] == [] and mapped["columns"][0]["decided_by"] == "user"


def test_inspect_prints_the_preview_and_stores_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FINTRACE_VAR_DIR", str(tmp_path / "var"))
    path = tmp_path / "spend.csv"
    path.write_text("Payment Date,Amount Paid,Supplier Name\n14/02/2024,£322.50,Acme Ltd\n")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "spend.csv: csv, utf-8, delimiter ',', header on row 1, dates dmy (1 rows looked at)"
    assert "posting_date             'Payment Date'                       0.85  2024-02-14" in out
    assert "amount                   'Amount Paid'                        0.85  322.5" in out
    assert main(["inspect", str(path), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [c["canonical"] for c in answer["columns"]] == ["posting_date", "amount", "vendor"]
    assert not (tmp_path / "var").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("When,How much\nx,y\n")
    assert main(["inspect", str(bad)]) == 1
    assert "cannot be loaded as it is: no column looks like a posting date" in capsys.readouterr().out
