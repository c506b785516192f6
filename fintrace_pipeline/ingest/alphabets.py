"""The accented letters each European language writes (lower case, beyond ASCII).

A text reads as one language, or as English with a few borrowed words: the code page that turns its
bytes into the letters of one of these alphabets is the one it was written in.
"""

from __future__ import annotations

ALPHABETS: dict[str, frozenset[str]] = {
    name: frozenset(letters)
    for name, letters in {
        "French": "àâæçéèêëîïôœùûüÿ",
        "German": "äöüß",
        "Spanish": "áéíñóúü",
        "Portuguese": "áâãàçéêíóôõú",
        "Italian": "àèéìíîòóùú",
        "Catalan": "àçèéíïòóúü",
        "Dutch": "áéíóúèëïöü",
        "Danish and Norwegian": "æøåéóô",
        "Swedish and Finnish": "åäöé",
        "Icelandic": "áðéíóúýþæö",
        "Czech": "áčďéěíňóřšťúůýž",
        "Slovak": "áäčďéíĺľňóôŕšťúýž",
        "Polish": "ąćęłńóśźż",
        "Hungarian": "áéíóöőúüű",
        "Slovene and Croatian": "čćđšž",
        "Romanian": "ăâîșțşţ",
    }.items()
}
