"""Single-byte code pages told apart by which reading looks like text in one language."""

from __future__ import annotations

import pytest

from fintrace_pipeline.ingest.encoding import decode

TEXTS = {
    "Czech": "Datum úhrady;Částka;Dodavatel;Účel platby\n03.02.2024;1234,50;Česká pošta, s.p.;Poštovné za leden\n"
    "04.02.2024;99,00;Škoda Auto a.s.;Oprava vozidla - řízení\n",
    "Czech, few letters": "Datum;Částka;Dodavatel\n03.02.2024;1234,50;Účetní služby\n",
    "Slovak": "Dátum;Suma;Dodávateľ\n03.02.2024;1234,50;Slovenská pošta, ľudia\n",
    "Polish": "Data operacji;Kwota;Opis operacji;Nazwa kontrahenta\n2024-02-03;-1 234,56;Przelew za fakturę;"
    "Łódzka Spółdzielnia Mieszkaniowa\n",
    "Hungarian": "Dátum;Összeg;Leírás;Partner\n2024.02.03.;1 234;Irodaszer vásárlás;Győri Kft.\n",
    "French": "Date;Montant;Libellé\n03/02/2024;1 234,56;Crèche à Nîmes, reçu n° 4\n",
    "Spanish": "Fecha;Importe;Proveedor\n03/02/2024;1.234,56;Telefónica España S.A.\n",
    "German": "Datum;Betrag;Empfänger\n03.02.2024;1.234,56;Müller GmbH Straße\n",
    "Portuguese": "Data;Valor;Descrição\n03/02/2024;1.234,56;Manutenção de licença\n",
    "Italian": "Data;Importo;Descrizione\n03/02/2024;1.234,56;Attività di manutenzione però già città\n",
    "English with pounds": "Date,Amount,Name\n2024-01-02,£322.50,Müller\n",
}
CASES = [
    ("Czech", "cp1250"),
    ("Czech", "iso-8859-2"),
    ("Czech, few letters", "cp1250"),
    ("Czech, few letters", "iso-8859-2"),
    ("Slovak", "cp1250"),
    ("Slovak", "iso-8859-2"),
    ("Polish", "cp1250"),
    ("Hungarian", "cp1250"),
    ("French", "cp1252"),
    ("French", "cp850"),
    ("Spanish", "cp1252"),
    ("German", "cp1252"),
    ("German", "cp850"),
    ("Portuguese", "cp1252"),
    ("Italian", "cp1252"),
    ("English with pounds", "cp1252"),
    ("English with pounds", "cp850"),
]


@pytest.mark.parametrize(("language", "code_page"), CASES)
def test_the_text_comes_back_as_written(language, code_page):
    text = TEXTS[language]
    name, utf8 = decode(text.encode(code_page))
    assert utf8.decode("utf-8") == text
    assert name == code_page


def test_text_both_central_european_code_pages_write_alike_is_named_for_the_windows_one():
    # Polish without ą, ś, ź, Ą, Ś, Ź has the same bytes in Windows-1250 and ISO-8859-2.
    name, utf8 = decode(TEXTS["Polish"].encode("iso-8859-2"))
    assert utf8.decode() == TEXTS["Polish"] and name == "cp1250"


def test_a_byte_the_code_page_leaves_undefined_does_not_fail_the_file():
    head = "Datum;Částka;Dodavatel\n03.02.2024;1;Účetní služby\n".encode("cp1250")
    name, utf8 = decode(head + b"x" * (1 << 20) + b"\x98\n")  # 0x98: undefined in Windows-1250, past the head
    assert name == "cp1250" and utf8.decode().endswith("\ufffd\n")
