"""Vectorised parsing of date cells: ISO, numeric day/month/year (order decided per file), month
names in the supported languages, compact yyyymmdd and Excel serial day numbers.

Every value is sorted into one shape first; each shape is then parsed for the whole column at once.
Values that do not parse come back as NaT so the caller can reject their rows with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest.values import contains, fullmatch, replace

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (it counts 1900 as a leap year)

ISO = "iso"
DMY = "dmy"
MDY = "mdy"
EXCEL_SERIAL = "excel-serial"
YYYYMMDD = "yyyymmdd"
MONTH_NAME = "month-name"

# Dates that ERPs write where no date was set; they parse, but mean "none".
PLACEHOLDER_DATES = tuple(pd.Timestamp(d) for d in ("1900-01-01", "1899-12-30", "1899-12-31"))

_CLOCK = r"\d{1,2}[:.]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
_TIME = rf"(?:[ T,]+{_CLOCK})?"
_ZONE = r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?"
_NUMERIC = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}" + _TIME
_NUMERIC_SHORT_YEAR = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}" + _TIME
# Hungarian exports end a dotted year-first date with a dot: "2024.02.03."
_ISO = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}\.)"
    + r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    + _ZONE
)
_COMPACT = r"(?:1[89]|2\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_SERIAL = r"\d{5}(?:\.\d+)?"
# An Excel serial shown under a day/month format with the year field: "01/01/41892 12:00:00 AM".
_SERIAL_AS_YEAR = r"0?1[/.-]0?1[/.-]\d{5}" + _TIME
_DAY_FIRST_NAME = r"(?i)(\d{1,2})(?:st|nd|rd|th)?\.?[-/ ]*(?:de\s+)?(\pL{3,10})\.?[-/ ,]*(?:de\s+)?(\d{4}|\d{2})"
_NAME_FIRST = r"(?i)(\pL{3,10})\.?[-/ ]*(\d{1,2})(?:st|nd|rd|th)?,?[-/ ]*(\d{4}|\d{2})"
_NAMED = rf"(?:{_DAY_FIRST_NAME}|{_NAME_FIRST}){_TIME}"

# Month names and abbreviations in English, German, French, Spanish, Portuguese, Italian and Dutch.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "jänner",
        "janvier",
        "janv",
        "enero",
        "ene",
        "janeiro",
        "gennaio",
        "gen",
        "januari",
    ),
    2: (
        "february",
        "feb",
        "februar",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "febrero",
        "fevereiro",
        "fev",
        "febbraio",
        "februari",
    ),
    3: ("march", "mar", "märz", "maerz", "marz", "mär", "mars", "marzo", "março", "marco", "maart", "mrt"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "maio", "maggio", "mag", "mei"),
    6: ("june", "jun", "juni", "juin", "junio", "junho", "giugno", "giu"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "julho", "luglio", "lug"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "set", "setembro", "settembre"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "outubro", "out", "ottobre", "ott"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: (
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dezembro",
        "dicembre",
    ),
}

_SHAPES = (
    ("numeric", _NUMERIC),
    ("numeric_short_year", _NUMERIC_SHORT_YEAR),
    ("iso", _ISO),
    ("compact", _COMPACT),
    ("serial", _SERIAL),
    ("serial_as_year", _SERIAL_AS_YEAR),
    ("named", _NAMED),
)


@dataclass(frozen=True)
class DateShapes:
    """A cleaned date column and, per shape, which of its values have that shape."""

    text: pd.Series
    masks: dict[str, np.ndarray]

    def count(self, shape: str) -> int:
        return int(self.masks[shape].sum())


def classify_dates(text: pd.Series) -> DateShapes:
    """Sort a cleaned date column's values by shape, testing each value until one shape fits."""
    remaining = text.notna().to_numpy().copy()
    masks = {}
    for name, pattern in _SHAPES:
        mask = np.zeros(len(text), dtype=bool)
        if remaining.any():
            positions = np.flatnonzero(remaining)
            mask[positions[fullmatch(text.iloc[positions], pattern)]] = True
            remaining &= ~mask
        masks[name] = mask
    return DateShapes(text=text, masks=masks)


@dataclass(frozen=True)
class DayMonthVotes:
    """What a file's numeric dates say about their day/month order."""

    day_first: int  # values whose first field is above 12
    month_first: int  # values whose second field is above 12
    dotted: int  # values written with dots (dd.mm.yyyy)
    numeric: int  # numeric dates in all

    @property
    def order(self) -> str | None:
        """DMY or MDY when some value tells (the more frequent wins), None when every one could be either."""
        if not (self.day_first or self.month_first):
            return None
        return DMY if self.day_first >= self.month_first else MDY

    @property
    def mostly_dotted(self) -> bool:
        return self.dotted > self.numeric / 2


def day_month_votes(columns: list[DateShapes]) -> DayMonthVotes | None:
    """The day/month evidence of the numeric dates in ``columns``; None when there are none."""
    numeric = pd.concat([c.text[c.masks["numeric"] | c.masks["numeric_short_year"]] for c in columns])
    if not len(numeric):
        return None
    return DayMonthVotes(
        day_first=int(contains(numeric, r"^(?:1[3-9]|2\d|3[01])[/.-]").sum()),
        month_first=int(contains(numeric, r"^\d{1,2}[/.-](?:1[3-9]|2\d|3[01])[/.-]").sum()),
        dotted=int(contains(numeric, r"^\d{1,2}\.").sum()),
        numeric=len(numeric),
    )


def shape_order(columns: list[DateShapes]) -> str:
    """The convention of a file without numeric day/month dates: its most common shape."""
    counts = {
        ISO: sum(c.count("iso") for c in columns),
        EXCEL_SERIAL: sum(c.count("serial") + c.count("serial_as_year") for c in columns),
        YYYYMMDD: sum(c.count("compact") for c in columns),
        MONTH_NAME: sum(c.count("named") for c in columns),
    }
    return max(counts, key=lambda name: (counts[name], name == ISO))


def decide_date_order(columns: list[DateShapes]) -> str:
    """The file's date convention, decided once from all its date columns and nothing else.

    Day/month order for numeric dates: a first field above 12 anywhere means dmy, a second field
    above 12 means mdy (the more frequent wins if both occur); all-ambiguous data is mdy unless the
    separators are dots (dd.mm.yyyy). Files without numeric dates report their most common shape.
    (``date_order`` weighs what else the file says where the dates cannot tell.)
    """
    votes = day_month_votes(columns)
    if votes is None:
        return shape_order(columns)
    return votes.order or (DMY if votes.mostly_dotted else MDY)


def parse_dates(shapes: DateShapes, order: str) -> pd.Series:
    """datetime64[ns] for every value (NaT where empty or unparseable, including impossible dates
    such as 31/02); numeric dates are read in the file's day/month ``order``."""
    text = shapes.text
    result = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    converters = {
        "numeric": lambda part: _with_clock(_numeric_as_iso(part, order)),
        "numeric_short_year": lambda part: _with_clock(_numeric_as_iso(_four_digit_years(part), order)),
        "iso": _from_iso_text,
        "compact": lambda part: _from_iso_text(replace(part, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")),
        "serial": _from_serial_text,
        "serial_as_year": lambda part: _from_serial_text(replace(part, r"^\d{1,2}[/.-]\d{1,2}[/.-](\d{5}).*$", r"\1")),
        "named": lambda part: _with_clock(_named_as_iso(part)),
    }
    for shape, convert in converters.items():
        mask = shapes.masks[shape]
        if mask.any():
            result[mask] = convert(text[mask]).to_numpy(dtype="datetime64[ns]")
    return pd.Series(result, index=text.index)


def parses_as_dates(text: pd.Series) -> np.ndarray:
    """Whether each value reads as a date in either day/month order (for judging a column)."""
    shapes = classify_dates(text)
    day_first = parse_dates(shapes, DMY).notna().to_numpy()
    return day_first | parse_dates(shapes, MDY).notna().to_numpy()


def is_placeholder_date(dates: pd.Series) -> np.ndarray:
    return dates.isin(PLACEHOLDER_DATES).to_numpy()


def placeholder_date_warning(header: str, parsed: pd.Series) -> str | None:
    count = int(is_placeholder_date(parsed).sum())
    if not count:
        return None
    return (
        f"{count:,} posting date(s) in {header!r} are a date systems write when none was set "
        "(such as 1900-01-01); they were loaded as written"
    )


def _four_digit_years(text: pd.Series) -> pd.Series:
    # Two-digit years pivot as POSIX does: 00-68 are 20xx, 69-99 are 19xx.
    text = replace(text, r"^(\d{1,2}[/.-]\d{1,2}[/.-])([0-5]\d|6[0-8])\b", r"\120\2")
    return replace(text, r"^(\d{1,2}[/.-]\d{1,2}[/.-])(69|[7-9]\d)\b", r"\119\2")


def _numeric_as_iso(text: pd.Series, order: str) -> pd.Series:
    first, second = (r"\2", r"\1") if order == DMY else (r"\1", r"\2")
    return replace(text, r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T,]*", rf"\3-{first}-{second} ")


def _named_as_iso(text: pd.Series) -> pd.Series:
    """ "20-Dec-13", "Dec 20, 2013", "20. Dezember 2013" -> "2013-12-20" (time kept after it)."""
    text = replace(text, "^" + _DAY_FIRST_NAME, r"\3-\2-\1 ")
    text = replace(text, "^" + _NAME_FIRST, r"\3-\1-\2 ")
    text = replace(text, r"^([0-5]\d|6[0-8])-", r"20\1-")
    text = replace(text, r"^(69|[7-9]\d)-", r"19\1-")
    for month, names in MONTH_NAMES.items():
        alternatives = "|".join(sorted(names, key=len, reverse=True))
        text = replace(text, rf"(?i)^(\d{{4}})-(?:{alternatives})-", rf"\1-{month:02d}-")
    text = replace(text, r"^(\S+)[ T,]+", r"\1 ")
    return replace(text, r"\s*,?\s*$", "")


def _with_clock(text: pd.Series) -> pd.Series:
    """ISO dates with an optional 12-hour clock ("2024-03-05 02:30 PM")."""
    dotted = contains(text, r"^\S+[ T,]+\d{1,2}\.\d{2}")  # "14.30": rare, so only those are rewritten
    if dotted.any():
        text = text.copy()
        text[dotted] = replace(text[dotted], r"^(\S+)[ T,]+(\d{1,2})\.(\d{2})", r"\1 \2:\3")
    marked = contains(text, r"[AaPp]\.?[Mm]\.?$")
    if not marked.any():
        return _from_iso_text(text)
    pm = marked & contains(text, r"[Pp]\.?[Mm]\.?$")
    am = marked & ~pm
    parsed = _from_iso_text(replace(text, r"\s*[AaPp]\.?[Mm]\.?$", ""))
    # 12-hour clock: 12 AM is midnight, 1-11 PM are afternoon; "13:00 PM" or "0:30 AM" are nonsense.
    hour = parsed.dt.hour
    parsed = parsed.mask(marked & ((hour > 12) | (hour == 0)))
    parsed = parsed.mask(pm & (hour < 12), parsed + pd.Timedelta(hours=12))
    return parsed.mask(am & (hour == 12), parsed - pd.Timedelta(hours=12))


def _from_iso_text(text: pd.Series) -> pd.Series:
    # Offsets are dropped: the wall-clock time as written is what the ledger recorded.
    if contains(text, r"Z$|[+-]\d{2}:?\d{2}$|,|^\d{4}[/.]").any():
        text = replace(text, r"\s*(?:Z|[+-]\d{2}:?\d{2})$", "")
        text = replace(text, r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})\.?", r"\1-\2-\3")
        text = text.str.replace(",", ".", regex=False)  # decimal comma in fractional seconds
    return pd.to_datetime(text.str.strip(), format="ISO8601", errors="coerce").astype("datetime64[ns]")


def _from_serial_text(text: pd.Series) -> pd.Series:
    days = text.astype("float64")
    in_range = (days >= 1) & (days <= 2958465)  # up to 9999-12-31, as Excel allows
    stamps = EXCEL_EPOCH + pd.to_timedelta(days.where(in_range), unit="D")
    return stamps.dt.round("s").astype("datetime64[ns]")
