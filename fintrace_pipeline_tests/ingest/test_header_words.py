from __future__ import annotations

import pytest

from fintrace_pipeline.ingest import lexicon as lx
from fintrace_pipeline.ingest.header_terms import header_terms
from fintrace_pipeline.ingest.header_words import fold, header_words


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("GLAcctNo", ["gl", "acct", "no"]),
        ("VATAmount", ["vat", "amount"]),
        ("CreatedBy", ["created", "by"]),
        ("JENumber", ["je", "number"]),
        ("Payment_Issue_date", ["payment", "issue", "date"]),
        ("JE_Header_ Description", ["je", "header", "description"]),
        ("Net Amount(£)", ["net", "amount", "¤"]),
        ("Valor do Pagamento (R$)", ["valor", "do", "pagamento", "¤"]),
        ("Nº factura", ["number", "factura"]),
        ("Invoice #", ["invoice", "number"]),
        ("DATA EMISSÃO", ["data", "emissão"]),
        ("G/L Account", ["g/l", "account"]),
        ("Dr/Cr", ["dr", "cr"]),
        ("Kost1", ["kost", "1"]),
        ("UserIDs", ["user", "ids"]),
    ],
)
def test_header_words_split_on_case_acronyms_digits_and_punctuation(header, words):
    assert header_words(header) == words


def test_fold_strips_accents_for_lookup_only():
    assert fold("Währung") == "wahrung"
    assert fold("Straße") == "strasse"
    assert fold("EMISSÃO") == "emissao"


@pytest.mark.parametrize(
    ("header", "concepts"),
    [
        ("Buchungsdatum", {lx.POST, lx.DATE}),
        ("Rechnungsnummer", {lx.INVOICE, lx.NUMBER}),
        ("Kostenstelle", {lx.COST, lx.CENTER}),
        ("Lieferantenname", {lx.VENDOR, lx.NAME}),
        ("Belegnr", {lx.DOCUMENT, lx.NUMBER}),
        ("Boekingsdatum", {lx.POST, lx.DATE}),
        ("paymentdate", {lx.PAY, lx.DATE}),
        ("Fälligkeitsdatum", {lx.DUE, lx.DATE}),
        ("Waehrung", {lx.CURRENCY}),
        ("Datum uhrady", {lx.DATE, lx.PAY}),
        ("Cislo faktury dodavatele", {lx.NUMBER, lx.INVOICE, lx.VENDOR}),
        ("Organisatonal Unit", {lx.ORG, lx.UNIT}),  # misspelt, as published
        ("Amount excl. VAT", {lx.AMOUNT, lx.NET}),  # a negated tax is a net amount
        ("Umsatz (ohne Soll/Haben-Kz)", {lx.AMOUNT, lx.TRANSACTION}),
        ("Castka bez DPH - radek", {lx.AMOUNT, lx.NET, lx.LINE}),  # the negation ends at " - "
    ],
)
def test_header_terms_read_compounds_stems_and_negations(header, concepts):
    assert header_terms(header).concepts == concepts


def test_unknown_words_are_kept_apart():
    terms = header_terms("HBC ref no")
    assert terms.concepts == {lx.REFERENCE, lx.NUMBER}
    assert terms.unknown == ("hbc",)


@pytest.mark.parametrize(
    ("header", "concepts"),
    [
        ("Expenditure Catergory", {lx.EXPENSE, lx.CATEGORY}),
        ("Expenditrue Code", {lx.EXPENSE, lx.CODE}),
        ("Transacton Date", {lx.TRANSACTION, lx.DATE}),
        ("Invioce Number", {lx.INVOICE, lx.NUMBER}),
    ],
)
def test_misspelt_long_words_are_read_as_meant(header, concepts):
    assert header_terms(header).concepts == concepts


def test_short_or_known_words_are_not_taken_for_misspellings():
    assert header_terms("Contract").concepts == {lx.CONTRACT}  # not "contact"
    assert header_terms("Dates").concepts == {lx.DATE}
    assert header_terms("Datex").unknown == ("datex",)  # five letters: too short to call a slip
