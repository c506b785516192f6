"""Header matching on the layouts real systems export, and content as check and tie-breaker."""

from __future__ import annotations

import pandas as pd
import pytest

from fintrace_pipeline.ingest import IngestError, guess_column_mapping, propose_mapping

# Each case: the export's header row, and what the important columns must map to.
EXPORTS = {
    "SAP FBL3N line items (English)": (
        [
            "Company Code",
            "G/L Account",
            "Assignment",
            "Document Number",
            "Business Area",
            "Document Type",
            "Document Date",
            "Posting Date",
            "Posting Key",
            "Amount in local currency",
            "Local Currency",
            "Tax code",
            "Clearing Document",
            "Text",
            "Profit Center",
            "Cost Center",
            "User Name",
            "Entry Date",
        ],
        {
            "posting_date": "Posting Date",
            "entry_date": "Entry Date",
            "amount": "Amount in local currency",
            "account": "G/L Account",
            "je_number": "Document Number",
            "description": "Text",
            "cost_center": "Cost Center",
            "user": "User Name",
            "currency": "Local Currency",
        },
    ),
    "SAP line items (German)": (
        [
            "Buchungskreis",
            "Sachkonto",
            "Belegnummer",
            "Belegart",
            "Belegdatum",
            "Buchungsdatum",
            "Betrag in Hauswährung",
            "Hauswährung",
            "Buchungstext",
            "Kostenstelle",
            "Benutzername",
            "Erfassungsdatum",
            "Soll/Haben-Kennzeichen",
        ],
        {
            "posting_date": "Buchungsdatum",
            "entry_date": "Erfassungsdatum",
            "amount": "Betrag in Hauswährung",
            "currency": "Hauswährung",
            "account": "Sachkonto",
            "je_number": "Belegnummer",
            "description": "Buchungstext",
            "cost_center": "Kostenstelle",
            "user": "Benutzername",
            "debit_credit_indicator": "Soll/Haben-Kennzeichen",
        },
    ),
    "Oracle GL journal lines": (
        [
            "Ledger",
            "Source",
            "Batch Name",
            "Journal Name",
            "Line Number",
            "Accounting Date",
            "Account",
            "Entered Dr",
            "Entered Cr",
            "Accounted Dr",
            "Accounted Cr",
            "Currency",
            "Line Description",
            "Created By",
            "Creation Date",
        ],
        {
            "posting_date": "Accounting Date",
            "entry_date": "Creation Date",
            "debit": "Accounted Dr",
            "credit": "Accounted Cr",
            "source": "Source",
            "je_number": "Journal Name",
            "account": "Account",
            "user": "Created By",
            "description": "Line Description",
            "currency": "Currency",
        },
    ),
    "Dynamics 365 Business Central G/L entries": (
        [
            "Posting Date",
            "Document Type",
            "Document No.",
            "G/L Account No.",
            "G/L Account Name",
            "Description",
            "Amount",
            "Debit Amount",
            "Credit Amount",
            "Entry No.",
            "User ID",
            "Source Code",
        ],
        {
            "posting_date": "Posting Date",
            "je_number": "Document No.",
            "account": "G/L Account No.",
            "account_name": "G/L Account Name",
            "description": "Description",
            "amount": "Amount",
            "transaction_id": "Entry No.",
            "user": "User ID",
            "source": "Source Code",
        },
    ),
    "Xero account transactions": (
        [
            "Date",
            "Source",
            "Description",
            "Reference",
            "Debit (GBP)",
            "Credit (GBP)",
            "Running Balance (GBP)",
            "Gross (GBP)",
            "VAT (GBP)",
            "Account Code",
            "Account",
            "Contact",
        ],
        {
            "posting_date": "Date",
            "debit": "Debit (GBP)",
            "credit": "Credit (GBP)",
            "account": "Account Code",
            "vendor": "Contact",
            "description": "Description",
            "source": "Source",
            "transaction_id": "Reference",
        },
    ),
    "QuickBooks Online general ledger": (
        ["Date", "Transaction Type", "Num", "Name", "Memo/Description", "Account", "Split", "Amount", "Balance"],
        {
            "posting_date": "Date",
            "source": "Transaction Type",
            "transaction_id": "Num",
            "vendor": "Name",
            "description": "Memo/Description",
            "account": "Account",
            "amount": "Amount",
        },
    ),
    "Sage 50 audit trail": (
        ["No", "Type", "A/C", "Date", "Ref", "Ex.Ref", "Details", "Dept", "Net", "Tax", "T/C", "Debit", "Credit"],
        {
            "posting_date": "Date",
            "debit": "Debit",
            "credit": "Credit",
            "account": "A/C",
            "description": "Details",
            "cost_center": "Dept",
        },
    ),
    "DATEV Buchungsstapel": (
        [
            "Umsatz (ohne Soll/Haben-Kz)",
            "Soll/Haben-Kennzeichen",
            "WKZ Umsatz",
            "Konto",
            "Gegenkonto (ohne BU-Schlüssel)",
            "Belegdatum",
            "Belegfeld 1",
            "Buchungstext",
            "KOST1 - Kostenstelle",
        ],
        {
            "amount": "Umsatz (ohne Soll/Haben-Kz)",
            "debit_credit_indicator": "Soll/Haben-Kennzeichen",
            "currency": "WKZ Umsatz",
            "account": "Konto",
            "posting_date": "Belegdatum",
            "je_number": "Belegfeld 1",
            "description": "Buchungstext",
            "cost_center": "KOST1 - Kostenstelle",
        },
    ),
    "French FEC": (
        [
            "JournalCode",
            "JournalLib",
            "EcritureNum",
            "EcritureDate",
            "CompteNum",
            "CompteLib",
            "CompAuxNum",
            "CompAuxLib",
            "PieceRef",
            "PieceDate",
            "EcritureLib",
            "Debit",
            "Credit",
            "EcritureLet",
            "DateLet",
            "ValidDate",
            "Montantdevise",
            "Idevise",
        ],
        {
            "je_number": "EcritureNum",
            "posting_date": "EcritureDate",
            "account": "CompteNum",
            "account_name": "CompteLib",
            "vendor": "CompAuxLib",
            "debit": "Debit",
            "credit": "Credit",
            "source": "JournalCode",
        },
    ),
    "UK bank statement": (
        ["Date", "Type", "Description", "Paid out", "Paid in", "Balance"],
        {"posting_date": "Date", "debit": "Paid out", "credit": "Paid in", "description": "Description"},
    ),
    "German bank statement (CAMT CSV)": (
        [
            "Auftragskonto",
            "Buchungstag",
            "Valutadatum",
            "Buchungstext",
            "Verwendungszweck",
            "Glaeubiger ID",
            "Mandatsreferenz",
            "Kundenreferenz (End-to-End)",
            "Beguenstigter/Zahlungspflichtiger",
            "Kontonummer/IBAN",
            "BIC (SWIFT-Code)",
            "Betrag",
            "Waehrung",
            "Info",
        ],
        {
            "posting_date": "Buchungstag",
            "amount": "Betrag",
            "currency": "Waehrung",
            "vendor": "Beguenstigter/Zahlungspflichtiger",
            "description": "Verwendungszweck",
        },
    ),
    "Dutch bank statement": (
        [
            "Datum",
            "Naam / Omschrijving",
            "Rekening",
            "Tegenrekening",
            "Code",
            "Af Bij",
            "Bedrag (EUR)",
            "Mutatiesoort",
            "Mededelingen",
        ],
        {
            "posting_date": "Datum",
            "amount": "Bedrag (EUR)",
            "debit_credit_indicator": "Af Bij",
            "account": "Rekening",
            "description": "Mededelingen",
            "source": "Mutatiesoort",
        },
    ),
    "UK council spend over £500": (
        [
            "Body Name",
            "Service Area",
            "Expense Type",
            "Transaction Number",
            "Date",
            "Amount",
            "Supplier Name",
            "Supplier ID",
            "VAT Registration Number",
            "Purpose of Spend",
        ],
        {
            "posting_date": "Date",
            "amount": "Amount",
            "transaction_id": "Transaction Number",
            "vendor": "Supplier Name",
            "account_name": "Expense Type",
            "cost_center": "Service Area",
            "description": "Purpose of Spend",
        },
    ),
    "US city check register": (
        [
            "Check Number",
            "Check Date",
            "Vendor Name",
            "Vendor ID",
            "Fund",
            "Department",
            "Account",
            "Account Description",
            "Invoice Number",
            "Invoice Date",
            "Check Amount",
            "Description",
        ],
        {
            "posting_date": "Check Date",
            "amount": "Check Amount",
            "transaction_id": "Check Number",
            "vendor": "Vendor Name",
            "invoice_number": "Invoice Number",
            "account": "Account",
            "account_name": "Account Description",
            "description": "Description",
        },
    ),
    "UK purchasing-card file": (
        [
            "TRANS DATE",
            "TRANS VAT DESC",
            "ORIGINAL GROSS AMT",
            "ORIGINAL CUR",
            "BILLING GROSS AMT",
            "BILLING CUR CODE",
            "CARD NUMBER",
            "MERCHANT NAME",
            "MERCHANT CATEGORY",
            "Directorate",
        ],
        {
            "posting_date": "TRANS DATE",
            "amount": "BILLING GROSS AMT",
            "currency": "BILLING CUR CODE",
            "vendor": "MERCHANT NAME",
            "user": "CARD NUMBER",
            "cost_center": "Directorate",
        },
    ),
    "US card statement": (
        ["Transaction Date", "Posted Date", "Card No.", "Description", "Category", "Debit", "Credit"],
        {"debit": "Debit", "credit": "Credit", "description": "Description"},
    ),
    "Spanish ERP journal": (
        [
            "Fecha",
            "Asiento",
            "Cuenta",
            "Descripción cuenta",
            "Concepto",
            "Debe",
            "Haber",
            "Documento",
            "Centro de coste",
            "Usuario",
        ],
        {
            "posting_date": "Fecha",
            "je_number": "Asiento",
            "account": "Cuenta",
            "account_name": "Descripción cuenta",
            "description": "Concepto",
            "debit": "Debe",
            "credit": "Haber",
            "cost_center": "Centro de coste",
            "user": "Usuario",
        },
    ),
    "Brazilian payments register": (
        ["Data Pagamento", "Valor do Pagamento (R$)", "Nome Favorecido", "Código Favorecido", "Observação"],
        {
            "posting_date": "Data Pagamento",
            "amount": "Valor do Pagamento (R$)",
            "vendor": "Nome Favorecido",
            "description": "Observação",
        },
    ),
    "Brazilian invoice register (accented capitals)": (
        ["NÚMERO NF", "DATA EMISSÃO", "DATA PAGAMENTO", "VALOR (R$)", "FORNECEDOR", "HISTÓRICO"],
        {
            "invoice_number": "NÚMERO NF",
            "posting_date": "DATA PAGAMENTO",
            "amount": "VALOR (R$)",
            "vendor": "FORNECEDOR",
            "description": "HISTÓRICO",
        },
    ),
    "Spend file whose amount header is a bare currency symbol": (
        ["Date Paid", " £ ", "Beneficiary", "Narrative"],
        {"posting_date": "Date Paid", "amount": " £ ", "vendor": "Beneficiary", "description": "Narrative"},
    ),
    "Italian ERP journal": (
        [
            "Data registrazione",
            "Data documento",
            "Numero documento",
            "Conto",
            "Descrizione",
            "Dare",
            "Avere",
            "Fornitore",
            "Centro di costo",
            "Utente",
        ],
        {
            "posting_date": "Data registrazione",
            "je_number": "Numero documento",
            "account": "Conto",
            "description": "Descrizione",
            "debit": "Dare",
            "credit": "Avere",
            "vendor": "Fornitore",
            "cost_center": "Centro di costo",
            "user": "Utente",
        },
    ),
    "Dutch ERP journal": (
        [
            "Boekdatum",
            "Dagboek",
            "Boekstuknummer",
            "Grootboekrekening",
            "Omschrijving",
            "Debet",
            "Credit",
            "Relatie",
            "Kostenplaats",
            "Gebruiker",
        ],
        {
            "posting_date": "Boekdatum",
            "je_number": "Boekstuknummer",
            "account": "Grootboekrekening",
            "description": "Omschrijving",
            "debit": "Debet",
            "credit": "Credit",
            "vendor": "Relatie",
            "cost_center": "Kostenplaats",
            "user": "Gebruiker",
        },
    ),
    "French ERP journal": (
        ["Date", "N° pièce", "Compte", "Libellé", "Débit", "Crédit", "Tiers", "Date de valeur", "Saisi par"],
        {
            "posting_date": "Date",
            "je_number": "N° pièce",
            "account": "Compte",
            "description": "Libellé",
            "debit": "Débit",
            "credit": "Crédit",
            "vendor": "Tiers",
            "user": "Saisi par",
        },
    ),
    "Journal-entry workbook with acronym-led PascalCase names": (
        [
            "JENumber",
            "JELineNumber",
            "GLAccountNumber",
            "AccountType",
            "EffectiveDate",
            "EnteredDate",
            "PreparedBy",
            "ApprovedBy",
            "JEDescription",
            "Amount",
        ],
        {
            "je_number": "JENumber",
            "account": "GLAccountNumber",
            "posting_date": "EffectiveDate",
            "entry_date": "EnteredDate",
            "user": "PreparedBy",
            "approver": "ApprovedBy",
            "description": "JEDescription",
            "amount": "Amount",
        },
    ),
    "Czech-style ASCII-folded register": (
        [
            "Cislo dokladu",
            "Datum zauctovani",
            "Datum splatnosti",
            "Castka",
            "Mena",
            "Dodavatel",
            "Popis",
            "Stredisko",
            "Ucet",
        ],
        {
            "je_number": "Cislo dokladu",
            "posting_date": "Datum zauctovani",
            "amount": "Castka",
            "currency": "Mena",
            "vendor": "Dodavatel",
            "description": "Popis",
            "cost_center": "Stredisko",
            "account": "Ucet",
        },
    ),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_headers_of_real_exports_map_without_help(export):
    headers, expected = EXPORTS[export]
    mapping = guess_column_mapping(headers)
    assert {k: mapping.get(k) for k in expected} == expected
    assert len(set(mapping.values())) == len(mapping)  # one canonical column per source column


def test_never_guessed_and_never_a_due_date():
    mapping = guess_column_mapping(["Due Date", "Invoice Date", "Amount", "Label", "Is Fraud"])
    assert mapping == {"posting_date": "Invoice Date", "amount": "Amount"}


def test_signed_amount_wins_over_a_debit_credit_pair():
    assert guess_column_mapping(["Date", "Debit", "Credit"]) == {
        "posting_date": "Date",
        "debit": "Debit",
        "credit": "Credit",
    }
    assert guess_column_mapping(["Date", "Debit", "Credit", "Amount"]) == {"posting_date": "Date", "amount": "Amount"}


def test_user_mapping_overrides_guess_and_releases_the_header():
    proposal = propose_mapping(
        ["Date", "Memo", "Notes", "Amount", "Flag"], user_mapping={"description": "Notes", "label": "Flag"}
    )
    assert proposal.mapping == {"posting_date": "Date", "amount": "Amount", "description": "Notes", "label": "Flag"}
    assert proposal.details()["description"]["decided_by"] == "user"
    assert proposal.details()["description"]["confidence"] == 1.0
    # The user's amount drops the guessed debit/credit pair; a loosely spelt header is found.
    assert propose_mapping(["Date", "Debit", "Credit", "Net"], user_mapping={"amount": " net "}).mapping == {
        "posting_date": "Date",
        "amount": "Net",
    }


def test_user_mapping_errors_name_the_problem():
    with pytest.raises(IngestError, match="'Booking Day'.*no such column"):
        propose_mapping(["Date", "Amount"], user_mapping={"posting_date": "Booking Day"})
    with pytest.raises(IngestError, match="unknown target"):
        propose_mapping(["Date", "Amount"], user_mapping={"colour": "Date"})


def sample(**columns) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(values, dtype="string") for name, values in columns.items()})


def test_account_prefers_the_code_column_with_many_values():
    rows = 60
    frame = sample(
        Date=["2024-01-02"] * rows,
        Amount=["5.00"] * rows,
        Account=[["Asset", "Liability", "Equity", "Revenue", "Expense"][i % 5] for i in range(rows)],
        Acct=[str(4000 + i) for i in range(rows)],
    )
    proposal = propose_mapping(list(frame.columns), frame)
    assert proposal.mapping["account"] == "Acct"
    assert proposal.details()["account"]["decided_by"] == "content"
    assert proposal.details()["account"]["runner_up"] == {"column": "Account", "confidence": 0.8}
    assert any("account: chose 'Acct'" in w and "'Account'" in w for w in proposal.warnings)


def test_a_date_header_whose_values_are_not_dates_is_passed_over_with_a_warning():
    frame = sample(
        **{
            "Posting Date": ["see memo", "tbc", "later"],
            "Transaction Date": ["2024-01-02"] * 3,
            "Amount": ["1", "2", "3"],
        }
    )
    proposal = propose_mapping(list(frame.columns), frame)
    assert proposal.mapping["posting_date"] == "Transaction Date"
    assert any("'Posting Date' reads like posting_date but its values do not" in w for w in proposal.warnings)


def test_valuta_is_a_currency_or_a_value_date_as_its_values_say():
    dutch = sample(Datum=["2024-01-02"] * 3, Valuta=["EUR", "EUR", "USD"], Bedrag=["1,50", "2,00", "3,10"])
    assert propose_mapping(list(dutch.columns), dutch).mapping["currency"] == "Valuta"
    german = sample(Buchungstag=["02.01.2024"] * 3, Valuta=["03.01.2024"] * 3, Betrag=["1,50", "2,00", "3,10"])
    mapping = propose_mapping(list(german.columns), german).mapping
    assert "currency" not in mapping and mapping["posting_date"] == "Buchungstag"


def test_reference_values_that_name_invoices_make_an_invoice_number():
    frame = sample(
        Date=["2024-01-02"] * 4, Amount=["1"] * 4, Ref=["CRINV0000021", "CRINV0000059", "P-CARD", "CRINV0000077"]
    )
    assert propose_mapping(list(frame.columns), frame).mapping["invoice_number"] == "Ref"
    batches = sample(Date=["2024-01-02"] * 3, Amount=["1"] * 3, Ref=["B000021291/20", "B000021292/60670", "4421"])
    assert propose_mapping(list(batches.columns), batches).mapping["transaction_id"] == "Ref"


def test_a_bare_type_column_is_the_source_only_when_it_holds_transaction_types():
    quickbooks = sample(Type=["Check", "Deposit", "General Journal"], Date=["2024-01-02"] * 3, Amount=["1"] * 3)
    assert propose_mapping(list(quickbooks.columns), quickbooks).mapping["source"] == "Type"
    council = sample(Type=["Revenue", "Capital", "Revenue"], Date=["2024-01-02"] * 3, Amount=["1"] * 3)
    assert "source" not in propose_mapping(list(council.columns), council).mapping


def test_a_constant_name_column_is_not_the_vendor():
    rows = 30
    frame = sample(
        **{"Body Name": ["Oxford City Council"] * rows, "Date": ["2024-01-02"] * rows, "Amount": ["1"] * rows}
    )
    assert "vendor" not in propose_mapping(list(frame.columns), frame).mapping


def test_empty_columns_are_never_mapped():
    frame = sample(Date=["2024-01-02"] * 3, Amount=["1"] * 3, Fund=[None, None, None])
    proposal = propose_mapping(list(frame.columns), frame)
    assert "cost_center" not in proposal.mapping and proposal.unmapped == ["Fund"]


def test_missing_required_columns_are_named():
    assert propose_mapping(["Account", "Memo"]).missing == ["posting_date", "amount"]
    assert propose_mapping(["Date", "Debit"]).missing == []
