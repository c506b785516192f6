"""`fintrace users` and `fintrace verdicts` against real SQLite and PostgreSQL, and the tokens they
print working against the API."""

import csv
import io
import re

import pandas as pd
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.cli import main
from fintrace_pipeline.db.schema import audit_log, verdicts
from fintrace_pipeline.db.transactions import replace_transactions
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.settings import get_settings

ROWS = pd.DataFrame(
    {
        "row_number": [1, 2, 3, 4],
        "posting_date": pd.to_datetime(["2024-01-02"] * 4),
        "amount": [10.0, -10.0, 5.0, 7.0],
        "transaction_id": ["A1", "A2", "A3", "A3"],
        "je_number": ["JE-1", "JE-1", None, None],
    }
)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_users_add_prints_a_token_once_that_the_api_accepts_until_revoked(fintrace_env, capsys):
    code, out, _ = run(capsys, "users", "add", "alice", "--role", "reviewer")
    assert code == 0
    first_line, token = out.strip().splitlines()
    assert first_line == "added alice (reviewer). Their API token, shown only this once:"
    assert token.startswith("ft_")
    key_file = fintrace_env / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    code, out, _ = run(capsys, "users", "list")
    assert token not in out
    header, row = out.strip().splitlines()
    assert header.split() == ["NAME", "ROLE", "CREATED", "(UTC)", "REVOKED", "(UTC)"]
    assert row.split()[:2] == ["alice", "reviewer"] and row.split()[-1] == "-"
    with TestClient(create_app(get_settings())) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/files/", headers=headers).status_code == 200
        assert client.get("/api/files/").status_code == 401
        assert client.get("/api/audit-log/", headers=headers).status_code == 403
        assert run(capsys, "users", "revoke", "alice") == (
            0,
            "revoked alice (reviewer): their token no longer works\n",
            "",
        )
        assert client.get("/api/files/", headers=headers).status_code == 401
    revoked = run(capsys, "users", "list")[1].strip().splitlines()[1].split()
    assert revoked[:2] == ["alice", "reviewer"] and re.fullmatch(r"\d{4}-\d\d-\d\d", revoked[-2])


def test_users_commands_explain_what_they_refuse(fintrace_env, engine, capsys):
    assert run(capsys, "users", "list")[1] == "no users: the API is open unless FINTRACE_API_TOKEN is set\n"
    run(capsys, "users", "add", "bob", "--role", "admin")
    code, _, err = run(capsys, "users", "add", "bob", "--role", "viewer")
    assert code == 1 and err == "fintrace: user 'bob' exists already (admin)\n"
    code, _, err = run(capsys, "users", "revoke", "nobody")
    assert code == 1 and err == "fintrace: no user 'nobody'\n"
    with pytest.raises(SystemExit):
        main(["users", "add", "carol", "--role", "owner"])
    with engine.connect() as connection:
        actions = connection.execute(select(audit_log.c.actor, audit_log.c.action)).all()
    assert len(actions) == 1 and actions[0].action == "user.add" and actions[0].actor.startswith("cli")


@pytest.fixture
def ledger(fintrace_env, engine, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("date,amount\n2024-01-01,5\n")
    data_file = register_file(engine, path, received_via="cli", archive_dir=tmp_path / "a", source="acme")[0]
    with engine.begin() as connection:
        replace_transactions(
            connection, data_file.id, ROWS, pd.DataFrame({"row_number": [], "raw_values": [], "reason": []})
        )
    return data_file


def test_verdicts_import_takes_every_good_line_and_says_why_it_refused_the_others(ledger, engine, tmp_path, capsys):
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        "Transaction_ID,Verdict,Comment\n"
        "A1,1,card reported stolen\n"
        "A2,0,\n"
        "A2,follow_up,\n"
        "A3,1,\n"  # on two rows
        "A9,0,\n"  # not in the file
        "A1,maybe,\n"
        ",1,\n"
    )
    code, out, _ = run(capsys, "verdicts", "import", str(outcomes), "--file-id", str(ledger.id))
    assert code == 1
    assert out.splitlines() == [
        "imported 3 verdicts (cleared 1, confirmed 1, follow_up 1)",
        "refused 4 lines:",
        "  line 5: transaction_id 'A3' is on 2 rows of the file; name the row_number",
        "  line 6: the file has no transaction_id 'A9'",
        "  line 7: verdict 'maybe' is not one of confirmed, cleared, follow_up (or 1 / 0)",
        "  line 8: no transaction_id given",
    ]
    with engine.connect() as connection:
        stored = connection.execute(
            select(verdicts.c.row_number, verdicts.c.verdict, verdicts.c.comment, verdicts.c.reviewer).order_by(
                verdicts.c.id
            )
        ).all()
    assert stored == [
        (1, "confirmed", "card reported stolen", "import"),
        (2, "cleared", None, "import"),
        (2, "follow_up", None, "import"),
    ]


def test_verdicts_round_trip_through_export_and_import_by_row_and_entry(ledger, engine, tmp_path, capsys):
    first = tmp_path / "first.csv"
    first.write_text("row_number,verdict\n4,1\n3,cleared\n")
    assert run(capsys, "verdicts", "import", str(first), "--file-id", str(ledger.id), "--reviewer", "dana")[0] == 0
    entries = tmp_path / "entries.csv"
    entries.write_text("je_number,verdict,comment\nJE-1,confirmed,=SUM(A1)\n")
    assert run(capsys, "verdicts", "import", str(entries), "--file-id", str(ledger.id))[1] == (
        "imported 1 verdicts (confirmed 1)\n"
    )
    exported = tmp_path / "out" / "verdicts.csv"
    code, out, _ = run(capsys, "verdicts", "export", "--file-id", str(ledger.id), "--out", str(exported))
    assert (code, out) == (0, f"wrote 3 verdicts to {exported}\n")
    rows = list(csv.DictReader(io.StringIO(exported.read_text())))
    assert [(r["row_number"], r["transaction_id"], r["je_number"], r["verdict"], r["reviewer"]) for r in rows] == [
        ("3", "A3", "", "cleared", "dana"),
        ("4", "A3", "", "confirmed", "dana"),
        ("", "", "JE-1", "confirmed", "import"),
    ]
    assert rows[2]["comment"] == "'=SUM(A1)"  # a spreadsheet never runs it
    # The export's columns are the import's: it reads back in as it is.
    assert run(capsys, "verdicts", "import", str(exported), "--file-id", str(ledger.id))[0] == 0
    history = tmp_path / "history.csv"
    run(capsys, "verdicts", "export", "--file-id", str(ledger.id), "--out", str(history), "--history")
    assert len(list(csv.DictReader(io.StringIO(history.read_text())))) == 6


def test_verdicts_commands_refuse_a_csv_without_the_columns_or_an_unknown_file(ledger, tmp_path, capsys):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,outcome\n1,1\n")
    code, _, err = run(capsys, "verdicts", "import", str(wrong), "--file-id", str(ledger.id))
    assert code == 1 and "needs a verdict column and one of row_number, transaction_id, je_number" in err
    unknown = "00000000-0000-4000-8000-000000000000"
    good = tmp_path / "good.csv"
    good.write_text("row_number,verdict\n1,1\n")
    assert (
        run(capsys, "verdicts", "import", str(good), "--file-id", unknown)[2] == f"fintrace: no data file {unknown}\n"
    )
    assert run(capsys, "verdicts", "export", "--file-id", unknown, "--out", str(tmp_path / "x.csv"))[2] == (
        f"fintrace: no data file {unknown}\n"
    )
    code, _, err = run(capsys, "verdicts", "import", str(good), "--file-id", str(ledger.id), "--reviewer", "a b")
    assert code == 1 and "not valid" in err
