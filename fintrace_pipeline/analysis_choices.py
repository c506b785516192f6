"""A company's or a file's calendar and limits as a person writes them (in the environment, on the
command line, in an upload form) made into the analysis options they set: the country, its weekend
days and business hours, approval limits and materiality. A value that cannot be used is refused
with a message saying what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ChoiceError(ValueError):
    """A calendar or limit value that cannot be used, said in words."""


def country(text: str) -> str:
    """An ISO 3166-1 alpha-2 code, optionally with a subdivision ("de-by" -> "DE-BY")."""
    from fintrace_pipeline.country_calendar import UnknownCountry, normalize_country

    try:
        return normalize_country(text)
    except UnknownCountry as exc:
        raise ChoiceError(str(exc)) from None


def weekend_days(text: str) -> tuple[str, ...]:
    """Weekday names or their first three letters, comma-separated ("Fri,Sat"); "none" for no weekend."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    if [w.lower() for w in words] == ["none"]:
        return ()
    days = []
    for word in words:
        matches = [d for d in WEEKDAYS if len(word) >= 3 and d.lower().startswith(word.lower())]
        if not matches:
            raise ChoiceError(
                f"unknown weekday {word!r}: expected weekday names or their first three letters, "
                "comma-separated (such as Sat,Sun or Friday,Saturday), or none"
            )
        days.append(matches[0])
    if not days:
        raise ChoiceError("no weekend days given: expected weekday names such as Sat,Sun, or none")
    return tuple(sorted(set(days), key=WEEKDAYS.index))


def business_hours(text: str) -> tuple[str, str]:
    """ "HH:MM-HH:MM" ("08:00-18:00"), the start before the end."""
    parts = [p.strip() for p in re.split(r"[-–]", text)]
    clocks = [_CLOCK.match(p) for p in parts]
    if len(parts) != 2 or not all(clocks):
        raise ChoiceError(f"business hours {text!r}: expected HH:MM-HH:MM, such as 08:00-18:00")
    start, end = (f"{int(m.group(1)):02d}:{m.group(2)}" for m in clocks if m)
    if start >= end:
        raise ChoiceError(f"business hours {text!r}: the start must be before the end")
    return start, end


def _amount(text: str, what: str) -> float:
    cleaned = text.strip().replace("_", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ChoiceError(f"{what} {text.strip()!r} is not an amount: write it with digits, such as 10000") from None
    if not value > 0 or value == float("inf"):
        raise ChoiceError(f"{what} must be a positive amount, got {text.strip()!r}")
    return value


def approval_limits(text: str) -> tuple[float, ...]:
    """Positive amounts, comma-separated, without thousands separators ("5000,10000,25000")."""
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise ChoiceError("no approval limits given: expected amounts, comma-separated, such as 5000,10000,25000")
    if any(re.match(r"^0\d\d(\.\d*)?$", p.strip()) for p in parts[1:]):
        raise ChoiceError(
            f"approval limits {text.strip()!r}: write each amount without thousands separators, "
            "comma-separated, such as 5000,10000,25000"
        )
    return tuple(sorted({_amount(p, "approval limit") for p in parts}))


def materiality(text: str) -> float:
    """One positive amount ("2500")."""
    return _amount(text, "materiality")


@dataclass(frozen=True)
class Choices:
    """What was chosen; None where nothing was (the configured value or the default applies)."""

    country: str | None = None
    weekend_days: tuple[str, ...] | None = None
    business_hours: tuple[str, str] | None = None
    approval_limits: tuple[float, ...] | None = None
    materiality: float | None = None

    @classmethod
    def parse(cls, **texts: str | None) -> Choices:
        """Each given text (a blank one counts as not given) parsed by the function of its name."""
        parsers = {
            "country": country,
            "weekend_days": weekend_days,
            "business_hours": business_hours,
            "approval_limits": approval_limits,
            "materiality": materiality,
        }
        unknown = set(texts) - set(parsers)
        if unknown:
            raise TypeError(f"no such choice: {', '.join(sorted(unknown))}")
        return cls(**{name: parsers[name](text) for name, text in texts.items() if text and text.strip()})

    def options(self, set_by: str) -> dict[str, Any]:
        """The analysis options these choices set (the country excluded), JSON-safe; ``set_by`` ("company"
        or "file") is who set the approval limits, which the findings name."""
        options: dict[str, Any] = {}
        if self.weekend_days is not None:
            options["weekend_days"] = list(self.weekend_days)
        if self.business_hours is not None:
            options["business_hours_start"], options["business_hours_end"] = self.business_hours
        if self.approval_limits is not None:
            options["approval_limits"] = list(self.approval_limits)
            options["approval_limits_source"] = set_by
        if self.materiality is not None:
            options["materiality"] = self.materiality
        return options
