"""Exports in the shapes real systems write, from banks and ledgers across Europe and the US: each
must map without a mapping and parse to the values a person reads in it."""

from __future__ import annotations

import pandas as pd
import pytest

from fintrace_pipeline.ingest import ingest_file

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 100_000}
T = pd.Timestamp


def ingest(tmp_path, name: str, text: str, encoding: str = "utf-8", **kwargs):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return ingest_file(path, **LIMITS, **kwargs)


def column(result, name: str) -> list:
    return result.transactions[name].tolist()


def test_polish_bank_statement_in_windows_1250(tmp_path):
    text = (
        '"Data operacji";"Data waluty";"Typ transakcji";"Kwota";"Waluta";"Saldo po transakcji";'
        '"Nadawca / Odbiorca";"Tytuł"\n'
        '"03.02.2024";"03.02.2024";"Przelew z rachunku";"-1 234,56";"PLN";"10 000,00";'
        '"Łódzka Spółdzielnia Mieszkaniowa";"Czynsz za luty"\n'
        '"05.02.2024";"06.02.2024";"Płatność kartą";"-45,99";"PLN";"9 954,01";"Żabka Polska sp. z o.o.";"Zakupy"\n'
        '"10.02.2024";"10.02.2024";"Wpływ na rachunek";"5 000,00";"PLN";"14 954,01";"Przedsiębiorstwo Świętokrzyskie";'
        '"Wynagrodzenie styczeń"\n'
    )
    result = ingest(tmp_path, "historia.csv", text, "cp1250")
    assert result.encoding == "cp1250"
    assert {k: result.column_mapping[k] for k in ("posting_date", "amount", "vendor", "description", "currency")} == {
        "posting_date": "Data operacji",
        "amount": "Kwota",
        "vendor": "Nadawca / Odbiorca",
        "description": "Tytuł",
        "currency": "Waluta",
    }
    assert column(result, "amount") == [-1234.56, -45.99, 5000.0]
    assert column(result, "posting_date") == [T("2024-02-03"), T("2024-02-05"), T("2024-02-10")]
    assert column(result, "vendor")[0] == "Łódzka Spółdzielnia Mieszkaniowa"


def test_italian_purchase_invoice_register(tmp_path):
    text = (
        "Data registrazione;Numero protocollo;Data documento;Numero documento;Fornitore;Partita IVA;Imponibile;"
        "Imposta;Totale documento;Causale\n"
        "03/02/2024;2024/0001;01/02/2024;FT-118;Enel Energia S.p.A.;06655971007;1.000,00;220,00;1.220,00;"
        "Fornitura energia elettrica gennaio\n"
        "05/02/2024;2024/0002;02/02/2024;45/A;Cartoleria Rossi s.r.l.;01234567890;100,00;22,00;122,00;Cancelleria\n"
    )
    result = ingest(tmp_path, "fatture_passive.csv", text)
    mapping = result.column_mapping
    assert (mapping["posting_date"], mapping["amount"], mapping["vendor"]) == (
        "Data registrazione",
        "Totale documento",
        "Fornitore",
    )
    assert mapping["description"] == "Causale"
    assert "Numero documento" in mapping.values()
    assert column(result, "amount") == [1220.0, 122.0]
    assert column(result, "posting_date") == [T("2024-02-03"), T("2024-02-05")]  # day first: Italian, 1.000,00
    assert result.date_format == "dmy"


def test_dutch_general_ledger_signed_by_af_bij(tmp_path):
    text = (
        "Boekdatum;Dagboek;Boekstuknummer;Grootboekrekening;Omschrijving grootboekrekening;Omschrijving;Af/Bij;Bedrag\n"
        "03-02-2024;Bank;24001;4300;Huisvestingskosten;Huur februari;Af;1.250,00\n"
        "05-02-2024;Bank;24002;8000;Omzet;Factuur 2024-017 De Vries BV;Bij;3.025,00\n"
        "07-02-2024;Memoriaal;24003;4500;Autokosten;Brandstof;Af;86,40\n"
    )
    result = ingest(tmp_path, "grootboek.csv", text)
    mapping = result.column_mapping
    assert mapping["debit_credit_indicator"] == "Af/Bij" and mapping["account"] == "Grootboekrekening"
    assert mapping["account_name"] == "Omschrijving grootboekrekening" and mapping["description"] == "Omschrijving"
    assert column(result, "amount") == [1250.0, -3025.0, 86.4]
    assert column(result, "posting_date") == [T("2024-02-03"), T("2024-02-05"), T("2024-02-07")]


def test_french_fichier_des_ecritures_comptables(tmp_path):
    header = (
        "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\t"
        "PieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise\n"
    )
    lines = []
    journals = [("AC", "Achats"), ("BQ", "Banque"), ("VT", "Ventes")]
    for i in range(12):
        code, name = journals[i % 3]
        lines.append(
            f"{code}\t{name}\t{code}{i:06d}\t202402{i + 1:02d}\t60610000\tFournitures\t\t\tP{i}\t20240201\t"
            f"Pièce {i} facture fournisseur\t{i + 1}234,56\t0,00\t\t\t20240215\t\t\n"
        )
    result = ingest(tmp_path, "123456789FEC20241231.txt", header + "".join(lines))
    mapping = result.column_mapping
    assert result.delimiter == "\t"
    assert {k: mapping[k] for k in ("posting_date", "je_number", "account", "account_name", "debit", "credit")} == {
        "posting_date": "EcritureDate",
        "je_number": "EcritureNum",
        "account": "CompteNum",
        "account_name": "CompteLib",
        "debit": "Debit",
        "credit": "Credit",
    }
    # JournalLib only names the journal code: it is no rival for the description.
    assert mapping["description"] == "EcritureLib"
    assert not [w for w in result.warnings if w.startswith("description:")]
    assert column(result, "amount")[:2] == [1234.56, 2234.56]
    assert column(result, "posting_date")[:2] == [T("2024-02-01"), T("2024-02-02")]


def test_swiss_bank_statement_with_apostrophe_thousands(tmp_path):
    text = (
        "Datum;Buchungstext;Belastung CHF;Gutschrift CHF;Valuta;Saldo CHF\n"
        "03.02.2024;Zahlung Swisscom (Schweiz) AG;1'234.50;;03.02.2024;8'765.50\n"
        "05.02.2024;Gutschrift Lohn Februar;;6'500.00;05.02.2024;15'265.50\n"
    )
    result = ingest(tmp_path, "konto.csv", text)
    mapping = result.column_mapping
    assert (mapping["debit"], mapping["credit"], mapping["description"]) == (
        "Belastung CHF",
        "Gutschrift CHF",
        "Buchungstext",
    )
    assert column(result, "amount") == [1234.5, -6500.0]
    assert column(result, "posting_date") == [T("2024-02-03"), T("2024-02-05")]


def test_us_purchase_card_file(tmp_path):
    text = (
        "Cardholder Name,Transaction Date,Posting Date,Merchant Name,MCC Description,Amount,Cost Center\n"
        'SMITH JOHN,02/03/2024,02/05/2024,OFFICE DEPOT #123,OFFICE SUPPLY STORES,"$1,234.50",4100 PUBLIC WORKS\n'
        "DOE JANE,02/04/2024,02/14/2024,DELTA AIR 0062,AIRLINES,$456.20,2200 PARKS\n"
    )
    result = ingest(tmp_path, "pcard.csv", text)
    mapping = result.column_mapping
    assert (mapping["user"], mapping["vendor"], mapping["cost_center"]) == (
        "Cardholder Name",
        "Merchant Name",
        "Cost Center",
    )
    assert mapping["posting_date"] in ("Posting Date", "Transaction Date")
    assert column(result, "amount") == [1234.5, 456.2]
    assert result.date_format == "mdy" and not result.warnings  # 02/14/2024 tells


def test_german_bank_statement_in_windows_1252(tmp_path):
    text = (
        "Buchungstag;Valutadatum;Auftraggeber/Empfänger;Verwendungszweck;Betrag;Währung\n"
        "03.02.2024;03.02.2024;Stadtwerke München GmbH;Abschlag Strom Februar;-1.234,56;EUR\n"
        "05.02.2024;06.02.2024;Müller & Söhne KG;Rechnung 2024-117;2.500,00;EUR\n"
    )
    result = ingest(tmp_path, "umsaetze.csv", text, "cp1252")
    mapping = result.column_mapping
    assert (mapping["posting_date"], mapping["vendor"], mapping["description"], mapping["currency"]) == (
        "Buchungstag",
        "Auftraggeber/Empfänger",
        "Verwendungszweck",
        "Währung",
    )
    assert column(result, "amount") == [-1234.56, 2500.0]
    assert column(result, "vendor") == ["Stadtwerke München GmbH", "Müller & Söhne KG"]


def test_czech_bank_statement_in_windows_1250(tmp_path):
    text = (
        "Datum;Částka;Měna;Protiúčet;Název protiúčtu;Popis\n"
        "03.02.2024;-1234,50;CZK;123456789/0800;Česká spořitelna, a.s.;Splátka úvěru - únor\n"
        "05.02.2024;25000,00;CZK;2000123456/2010;Škoda Auto a.s.;Úhrada faktury č. 2024017\n"
    )
    result = ingest(tmp_path, "vypis.csv", text, "cp1250")
    assert result.encoding == "cp1250"
    assert (result.column_mapping["amount"], result.column_mapping["vendor"]) == ("Částka", "Název protiúčtu")
    assert column(result, "amount") == [-1234.5, 25000.0]
    assert column(result, "description")[1] == "Úhrada faktury č. 2024017"


def test_czech_ledger_in_iso_8859_2(tmp_path):
    text = "Datum úhrady;Částka;Dodavatel;Účel platby\n03.02.2024;1234,50;Česká pošta, s.p.;Poštovné za leden\n"
    result = ingest(tmp_path, "faktury.csv", text, "iso-8859-2")
    assert result.encoding == "iso-8859-2"
    assert column(result, "vendor") == ["Česká pošta, s.p."] and column(result, "description") == ["Poštovné za leden"]


def test_hungarian_bank_statement_with_dotted_year_first_dates(tmp_path):
    text = (
        "Könyvelés dátuma;Összeg;Pénznem;Partner neve;Közlemény\n"
        "2024.02.03.;-12 500;HUF;Győri Vízművek Zrt.;Vízdíj január\n"
        "2024.02.05.;350 000;HUF;Szegedi Építő Kft.;Előleg számla 2024/17\n"
    )
    result = ingest(tmp_path, "szamlatortenet.csv", text, "cp1250")
    mapping = result.column_mapping
    assert (mapping["posting_date"], mapping["amount"], mapping["vendor"], mapping["description"]) == (
        "Könyvelés dátuma",
        "Összeg",
        "Partner neve",
        "Közlemény",
    )
    assert column(result, "posting_date") == [T("2024-02-03"), T("2024-02-05")]
    assert column(result, "amount") == [-12500.0, 350000.0]


def test_spanish_bank_statement(tmp_path):
    text = (
        "Fecha operación;Fecha valor;Concepto;Importe;Saldo\n"
        "03/02/2024;03/02/2024;Recibo Telefónica de España;-1.234,56;8.765,44\n"
        "05/02/2024;06/02/2024;Transferencia nómina febrero;2.500,00;11.265,44\n"
    )
    result = ingest(tmp_path, "movimientos.csv", text)
    assert (result.column_mapping["posting_date"], result.column_mapping["amount"]) == ("Fecha operación", "Importe")
    assert column(result, "posting_date") == [T("2024-02-03"), T("2024-02-05")]
    assert column(result, "amount") == [-1234.56, 2500.0]


def test_brazilian_bank_statement_in_reais(tmp_path):
    text = (
        "Data;Histórico;Documento;Valor (R$);Saldo (R$)\n"
        "03/02/2024;Pagamento de boleto - Light S.A.;000123;-1.234,56;8.765,44\n"
        "05/02/2024;TED recebida - Cliente XPTO;000124;2.500,00;11.265,44\n"
    )
    result = ingest(tmp_path, "extrato.csv", text)
    assert (result.column_mapping["amount"], result.column_mapping["description"]) == ("Valor (R$)", "Histórico")
    assert column(result, "posting_date") == [T("2024-02-03"), T("2024-02-05")]
    assert any("the currency R$" in w for w in result.warnings)


@pytest.mark.parametrize(("country", "first"), [("GB", T("2024-02-03")), (None, T("2024-03-02"))])
def test_uk_bank_statement_with_debit_and_credit_columns(tmp_path, country, first):
    text = (
        "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,Debit Amount,"
        "Credit Amount,Balance\n"
        "03/02/2024,DEB,'30-94-57,12345678,TESCO STORES 2341,45.20,,1954.80\n"
        "05/02/2024,FPI,'30-94-57,12345678,ACME LTD SALARY FEB,,2500.00,4454.80\n"
    )
    result = ingest(tmp_path, "statement.csv", text, country=country)
    mapping = result.column_mapping
    assert (mapping["debit"], mapping["credit"], mapping["description"]) == (
        "Debit Amount",
        "Credit Amount",
        "Transaction Description",
    )
    assert column(result, "amount") == [45.2, -2500.0]
    assert column(result, "posting_date")[0] == first


def test_quickbooks_transaction_detail_by_account(tmp_path):
    text = (
        ",Date,Transaction Type,Num,Name,Memo/Description,Split,Amount,Balance\n"
        "6000 · Rent Expense,,,,,,,,\n"
        ",02/01/2024,Check,1001,Kuver Property,February rent,Checking,1500.00,1500.00\n"
        ",03/01/2024,Check,1017,Kuver Property,March rent,Checking,1500.00,3000.00\n"
        'Total for 6000 · Rent Expense,,,,,,,"$3,000.00",\n'
        "6100 · Utilities,,,,,,,,\n"
        ",02/28/2024,Bill,INV-88,City Power,January power,Accounts Payable,210.50,210.50\n"
        "Total for 6100 · Utilities,,,,,,,$210.50,\n"
        'TOTAL,,,,,,,"$3,210.50",\n'
    )
    result = ingest(tmp_path, "detail.csv", text)
    assert column(result, "account") == ["6000", "6000", "6100"]
    assert column(result, "account_name") == ["Rent Expense", "Rent Expense", "Utilities"]
    assert column(result, "amount") == [1500.0, 1500.0, 210.5]
    assert column(result, "posting_date") == [T("2024-02-01"), T("2024-03-01"), T("2024-02-28")]
    assert sorted(set(result.rejected["reason"])) == ["account heading row", "report footer or subtotal row"]
