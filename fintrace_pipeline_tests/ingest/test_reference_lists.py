"""Reading vendor masters and employee lists: headers in several languages, CSV and workbooks, the
content checking each column, and files that cannot be read."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest

from fintrace_pipeline.ingest import IngestError
from fintrace_pipeline.ingest.reference_lists import read_reference_list

LIMITS = {"max_decompressed_bytes": 2**30, "max_rows": 10**6}


def read(path, kind="vendor_master", **kwargs):
    return read_reference_list(path, kind, **LIMITS, **kwargs)


def test_an_english_vendor_master_maps_every_column_and_parses_dates_added(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text(
        "Vendor ID,Vendor Name,Street Address,City,IBAN,Tax ID,Date Added,Last Modified\n"
        "V001,Acme Supplies Ltd,12 High Street,London,GB29 NWBK 6016 1331 9268 19,GB123456789,2024-01-15,2025-01-02\n"
        "V002,Nordwind GmbH,Hauptstrasse 5,Berlin,DE89 3704 0044 0532 0130 00,DE811234567,2024-03-02,2025-01-02\n"
    )
    result = read(path)
    assert result.column_mapping == {
        "name": "Vendor Name",
        "id": "Vendor ID",
        "address": "Street Address",
        "bank_account": "IBAN",
        "tax_id": "Tax ID",
        "added_date": "Date Added",
    }
    assert result.entries["name"].tolist() == ["Acme Supplies Ltd", "Nordwind GmbH"]
    assert result.entries["added_date"].tolist() == [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-03-02")]
    assert result.entries["row_number"].tolist() == [1, 2]


def test_a_german_employee_list_in_cp1252_with_semicolons(tmp_path):
    path = tmp_path / "mitarbeiter.csv"
    text = (
        "Personalnummer;Name;Anschrift;Bankverbindung;Steuernummer;Eintrittsdatum\n"
        "E-17;Jürgen Müller;Lindenstraße 3;DE02 1203 0000 0000 2020 51;12/345/67890;01.03.2020\n"
        "E-18;Jana Novák;Vinohradská 10;CZ65 0800 0000 1920 0014 5399;N/A;15.07.2021\n"
    )
    path.write_bytes(text.encode("cp1252", errors="replace"))
    result = read(path, "employees")
    assert result.encoding == "cp1252"
    assert result.column_mapping == {
        "name": "Name",
        "id": "Personalnummer",
        "address": "Anschrift",
        "bank_account": "Bankverbindung",
        "tax_id": "Steuernummer",
    }
    assert result.entries["name"].tolist() == ["Jürgen Müller", "Jana Novák"]
    # A placeholder is a missing value; an employee list has no date added.
    assert result.entries["tax_id"].isna().tolist() == [False, True]
    assert "added_date" not in result.entries.columns


def test_an_xlsx_vendor_master_with_french_headers_below_a_title(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Fichier fournisseurs 2025"])
    sheet.append([])
    sheet.append(["Raison sociale", "Numéro fournisseur", "Adresse", "RIB", "SIRET", "Date de création"])
    sheet.append(
        [
            "Café Lumière SARL",
            "F-001",
            "3 rue de la Paix",
            "FR76 3000 6000 0112 3456 7890 189",
            "73282932000074",
            dt.date(2025, 2, 1),
        ]
    )
    sheet.append(
        [
            "Boulangerie Dupont",
            "F-002",
            "8 avenue Foch",
            "FR76 1000 7000 0100 0000 0000 123",
            "55210055400013",
            dt.date(2023, 9, 30),
        ]
    )
    path = tmp_path / "fournisseurs.xlsx"
    book.save(path)
    result = read(path, user_mapping={"name": "Raison sociale"})
    assert result.file_format == "xlsx" and result.header_row == 3
    assert result.column_mapping == {
        "name": "Raison sociale",
        "id": "Numéro fournisseur",
        "address": "Adresse",
        "bank_account": "RIB",
        "tax_id": "SIRET",
        "added_date": "Date de création",
    }
    assert result.entries["added_date"].tolist() == [pd.Timestamp("2025-02-01"), pd.Timestamp("2023-09-30")]
    assert result.entries["bank_account"].iloc[0] == "FR76 3000 6000 0112 3456 7890 189"


def test_the_content_overrules_a_header_that_reads_well(tmp_path):
    path = tmp_path / "vendors.csv"
    # "Created" holds who created the entry, not when: it is no date added. "IBAN" holds no numbers.
    path.write_text("Name,Created,IBAN,Bank Account\nAcme,jdoe,see contract,12345678\nBeta,asmith,n/a,87654321\n")
    result = read(path)
    assert result.column_mapping == {"name": "Name", "bank_account": "Bank Account"}


def test_an_entry_without_a_name_keeps_its_other_values(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(
        "Employee Name,Employee ID,IBAN\nJana Novak,E-17,CZ6508000000192000145399\n,E-18,DE02120300000000202051\n"
    )
    result = read(path, "employees")
    assert result.entries["id"].tolist() == ["E-17", "E-18"]
    assert result.entries["name"].isna().tolist() == [False, True]
    assert result.notes == ["1 entry has no name; their other values are kept"]


def test_a_list_without_names_says_which_columns_come_closest_and_what_to_pass(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text("Nummer,Firma,IBAN\n1001,Acme Ltd,GB29NWBK60161331926819\n1002,Beta GmbH,DE89370400440532013000\n")
    with pytest.raises(IngestError) as raised:
        read(path)
    message = str(raised.value)
    assert message.startswith(
        "the vendor master has no column that looks like a name (headers: 'Nummer', 'Firma', 'IBAN')"
    )
    assert "closest: 'Firma' (e.g. 'Acme Ltd', 'Beta GmbH')" in message
    mapping = json.loads(message.split("--mapping '")[1].rstrip("'"))
    assert mapping["name"] == "Firma"
    # The mapping it suggests reads the file.
    assert read(path, user_mapping=mapping).entries["name"].tolist() == ["Acme Ltd", "Beta GmbH"]


def test_a_mapping_naming_a_missing_header_or_an_unknown_column_is_refused(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text("Vendor Name\nAcme\n")
    with pytest.raises(IngestError, match="names the header 'Supplier' for name, but the file has no such column"):
        read(path, user_mapping={"name": "Supplier"})
    with pytest.raises(IngestError, match="unknown target column 'added_date'; allowed: name, id, address"):
        read(path, "employees", user_mapping={"added_date": "Vendor Name"})
    with pytest.raises(IngestError, match="unknown kind of reference list 'customers'"):
        read(path, "customers")


def test_an_empty_file_and_rows_of_the_wrong_width(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(IngestError, match="the file is empty"):
        read(empty)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Vendor Name,Vendor ID\nAcme,V1\nBeta,V2,extra\nGamma,V3\n")
    result = read(ragged)
    assert result.entries["name"].tolist() == ["Acme", "Gamma"]
    assert result.rejected == [{"row_number": 2, "reason": "wrong number of cells", "cells": ["Beta", "V2", "extra"]}]
    assert result.warnings == [
        "1 row(s) had a different number of cells than the header and were not read (first: row 2)"
    ]
