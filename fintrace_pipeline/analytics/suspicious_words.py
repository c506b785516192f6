"""The words of journal-entry descriptions that auditors read twice (corrections, adjustments, write-offs,
instructions from above, miscellaneous catch-alls, gifts), in English and in the languages the ingest
lexicon reads headers in. Reversals are left out: every accrual is reversed as a matter of course, and
the duplicate tests already tell a reversal from a second entry. Words are folded (lower case, no
accents); a word ending in ``*`` is a stem
and also names the words that start with it; a space stands for any spacing or hyphen."""

from __future__ import annotations

from collections.abc import Sequence

KEYWORDS: dict[str, str] = {
    "en": """adjust* correct* plug write off writeoff override per ceo per cfo as instructed
        as discussed suspense reclass* misc* sundry topside top side error* fix void gift* bonus kickback
        facilitation do not""",
    "de": """korrektur* berichtig* anpassung* umbuch* ausbuch* sonstig* diverse* fehler* bereinig*
        geschenk* bonus laut gf lt gf auf anweisung""",
    "fr": """correction* ajustement* regularisation* annulation* divers erreur*
        reclassement* cadeau* bonus sur instruction selon pdg""",
    "es": """correccion* ajuste* regularizacion* anulacion* varios diversos error*
        reclasificacion* regalo* bono por instruccion segun director""",
    "pt": """correcao* ajuste* regularizacao* eanulacao* diversos erro* reclassificacao* presente*
        brinde* bonus por instrucao""",
    "it": """correzione* rettifica* aggiustamento* annullamento* varie diversi errore* riclassific*
        regalo* omaggio* bonus su istruzione""",
    "nl": """correctie* aanpassing* herboek* diversen fout* herclassific* cadeau* geschenk*
        bonus op instructie""",
    "pl": "korekt* rozne blad* bledn* przeksiegow* premia prezent*",
    "cs": "oprav* ruzne chyb* preuctov* odmen* dar",
}
LANGUAGES = tuple(KEYWORDS)


def _phrases(text: str) -> list[str]:
    """A language's list split into keywords: single words, or the two or three words that belong
    together ("write off", "per ceo", "as instructed")."""
    joined = {
        "write off",
        "per ceo",
        "per cfo",
        "as instructed",
        "as discussed",
        "top side",
        "do not",
        "laut gf",
        "lt gf",
        "auf anweisung",
        "sur instruction",
        "selon pdg",
        "por instruccion",
        "segun director",
        "por instrucao",
        "su istruzione",
        "op instructie",
    }
    words = text.split()
    phrases: list[str] = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in joined:
            phrases.append(pair)
            i += 2
        else:
            phrases.append(words[i])
            i += 1
    return phrases


def keywords_for(language: str | None) -> tuple[str, ...]:
    """English keywords, and those of ``language`` (a code such as "de" or "pt_BR") where it has a list."""
    chosen = ["en"]
    code = (language or "").split("_")[0].split("-")[0].lower()
    if code in KEYWORDS and code != "en":
        chosen.append(code)
    return tuple(dict.fromkeys(p for lang in chosen for p in _phrases(KEYWORDS[lang])))


def keyword_pattern(keywords: Sequence[str]) -> str:
    """One RE2/Python regex matching any keyword as whole words in folded text (stems: word starts)."""
    parts = []
    for keyword in keywords:
        stem = keyword.endswith("*")
        words = keyword.rstrip("*").split()
        body = r"[\s\-./]*".join(_escape(w) for w in words)
        parts.append(body + (r"\w*" if stem else r"\b"))
    return r"\b(?P<keyword>" + "|".join(parts) + ")"


def _escape(word: str) -> str:
    return "".join(c if c.isalnum() else "\\" + c for c in word)
