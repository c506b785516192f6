"""`fintrace reference add` and `fintrace reference list` against real SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from fintrace_pipeline.cli import main
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import audit_log, reference_entries
from fintrace_pipeline.settings import get_settings


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_keeps_every_version_and_list_shows_them_newest_first(fintrace_env, capsys, tmp_path):
    master = tmp_path / "proveedores.csv"
    master.write_text(
        "Código proveedor;Nombre del proveedor;Dirección;IBAN;NIF;Fecha de alta\n"
        "P-1;Aceitunas del Sur S.L.;Calle Mayor 3;ES91 2100 0418 4502 0005 1332;B12345678;15/03/2025\n"
        "P-2;Transportes Ruiz S.A.;Avenida del Puerto 40;ES79 2100 0813 6101 2345 6789;A87654321;01/02/2019\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "reference", "add", str(master), "--kind", "vendor_master", "--source", "iberia")
    assert code == 0
    assert out.splitlines() == [
        "added vendor master version 1 of source iberia: 2 entries from proveedores.csv",
        "columns: name <- 'Nombre del proveedor', id <- 'Código proveedor', address <- 'Dirección', "
        "bank_account <- 'IBAN', tax_id <- 'NIF', added_date <- 'Fecha de alta'",
    ]
    code, out, _ = run(capsys, "reference", "add", str(master), "--kind", "vendor_master", "--source", "iberia")
    assert code == 0 and "version 2 of source iberia" in out
    with get_engine(get_settings().database_url).connect() as connection:
        stored = connection.execute(
            select(
                reference_entries.c.name_normalized,
                reference_entries.c.tax_id_normalized,
                reference_entries.c.added_date,
            )
        ).all()
        audited = connection.execute(select(audit_log.c.action, audit_log.c.actor)).all()
    assert sorted({(n, t, str(d)) for n, t, d in stored}) == [
        ("ACEITUNAS DEL SUR", "B12345678", "2025-03-15"),
        ("TRANSPORTES RUIZ", "A87654321", "2019-02-01"),
    ]
    assert [a for a, _ in audited] == ["reference.add", "reference.add"]

    code, out, _ = run(capsys, "reference", "list", "--source", "iberia")
    lines = out.splitlines()
    assert lines[0].split() == ["SOURCE", "KIND", "VERSION", "ENTRIES", "UPLOADED", "(UTC)", "FILE"]
    assert [line.split()[:4] for line in lines[1:]] == [
        ["iberia", "vendor_master", "2", "2"],
        ["iberia", "vendor_master", "1", "2"],
    ]
    code, out, _ = run(capsys, "reference", "list", "--source", "other")
    assert (code, out) == (0, "no reference lists for source other\n")


def test_a_file_without_names_fails_with_the_mapping_to_try_and_the_mapping_works(fintrace_env, capsys, tmp_path):
    staff = tmp_path / "staff.csv"
    staff.write_text("Nr,Osoba,Konto bankowe\n1,Jan Kowalski,PL61109010140000071219812874\n")
    code, _, err = run(capsys, "reference", "add", str(staff), "--kind", "employees")
    assert code == 1
    assert err.startswith("fintrace: the employee list has no column that looks like a name")
    suggested = err.split("--mapping '")[1].strip().rstrip("'")
    assert json.loads(suggested)["name"] == "Osoba"
    code, out, _ = run(capsys, "reference", "add", str(staff), "--kind", "employees", "--mapping", suggested)
    assert code == 0 and "added employee list version 1 of source default: 1 entries" in out
