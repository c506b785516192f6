"""A country's working calendar, from the ``holidays`` package: which codes it knows, what a country and
its subdivision are called, which weekdays are its weekend and which days its public holidays.

A code is an ISO 3166-1 alpha-2 country ("DE"), optionally with a subdivision the package knows for it
("DE-BY"). Holidays are named in the calendar's own language (Germany's "Heilige Drei Könige"), never
in the machine's locale, so a reason reads the same wherever it is computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

MAX_CODE_LENGTH = 10
_WITH_ARTICLE = {"Bahamas", "Comoros", "Gambia", "Maldives", "Netherlands", "Philippines"}
_SMALL_WORDS = {"and", "of", "the", "da", "del", "du"}


class UnknownCountry(ValueError):
    """A country code, subdivision or holiday language the calendar does not know, said in words."""


def _registry() -> dict[str, tuple[str, ...]]:
    from holidays.registry import COUNTRIES

    return {entry[1]: (key, *entry) for key, entry in COUNTRIES.items()}


@cache
def _entity(country: str) -> type:
    import holidays

    return getattr(holidays, _registry()[country][1])


def normalize_country(text: str) -> str:
    """``text`` as a code the calendar knows ("de-by" -> "DE-BY"), else UnknownCountry saying what is accepted."""
    code = (text or "").strip()
    country, _, subdivision = code.partition("-")
    country = country.upper()
    if len(country) != 2 or country not in _registry():
        raise UnknownCountry(
            f"unknown country {code!r}: expected an ISO 3166-1 alpha-2 code the holiday calendar knows "
            "(such as US, DE, GB, BR, SA), optionally with a subdivision (such as DE-BY or US-CA)"
        )
    if not subdivision:
        return country
    # data_files.country holds at most MAX_CODE_LENGTH characters.
    known = {s.upper(): s for s in _entity(country).subdivisions if len(country) + 1 + len(s) <= MAX_CODE_LENGTH}
    if subdivision.upper() not in known:
        listed = ", ".join(sorted(known.values())) or "none"
        raise UnknownCountry(
            f"unknown subdivision {subdivision!r} of {country} ({country_name(country)}): its subdivisions are {listed}"
        )
    return f"{country}-{known[subdivision.upper()]}"


def _split(code: str) -> tuple[str, str | None]:
    country, _, subdivision = normalize_country(code).partition("-")
    return country, subdivision or None


def country_name(code: str) -> str:
    """The English name of the country ("Germany"), from the package's registry."""
    key = _registry()[code.partition("-")[0].upper()][0]
    words = key.split("_")
    return " ".join(w if i and w in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


def calendar_name(code: str) -> str:
    """The calendar a finding names: "Germany", "Germany (Bayern)"."""
    country, subdivision = _split(code)
    if subdivision is None:
        return country_name(country)
    aliases: dict[str, str] = getattr(_entity(country), "subdivisions_aliases", {}) or {}
    names = [name for name, value in aliases.items() if value == subdivision]
    return f"{country_name(country)} ({names[0] if names else subdivision})"


def calendar_place(code: str) -> str:
    """The calendar's name as a place in a sentence: "the United States", "Germany (Bayern)"."""
    name = calendar_name(code)
    country = country_name(code)
    takes_article = (
        country.startswith("United ") or country in _WITH_ARTICLE or country.endswith(("Islands", "Republic"))
    )
    return f"the {name}" if takes_article else name


def usual_weekend(code: str) -> tuple[int, ...]:
    """The weekdays (0 = Monday) the country keeps as its weekend: (5, 6) in most, (4, 5) in Saudi Arabia."""
    country, subdivision = _split(code)
    return tuple(sorted(_calendar(country, subdivision, (), None).weekend))


def holiday_language(code: str, language: str | None) -> str:
    """``language`` when the country's calendar offers it, else its own language."""
    entity = _entity(_split(code)[0])
    if language is None:
        return entity.default_language
    if language not in entity.supported_languages:
        offered = ", ".join(entity.supported_languages)
        raise UnknownCountry(
            f"the {country_name(code)} calendar has no holiday names in {language!r}; it has {offered}"
        )
    return language


def _calendar(country: str, subdivision: str | None, years: tuple[int, ...], language: str | None) -> Any:
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision, years=years, language=language)


def public_holidays(code: str, years: Iterable[int], language: str | None = None) -> dict[date, str]:
    """Every public holiday of the calendar in ``years`` (observed days included), by date, named in
    ``language`` or the calendar's own. Two holidays on one day share it: "A; B"."""
    country, subdivision = _split(code)
    chosen = holiday_language(code, language)
    calendar = _calendar(country, subdivision, tuple(sorted(set(years))), chosen)
    return dict(sorted(calendar.items()))
