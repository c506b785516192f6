"""The day/month order of a file's numeric dates, decided once for the file.

The dates decide wherever one of them can (a day above 12). The bounded inference sample is asked
first; where every date in it could be read either way, the file's whole date columns are (they are
in memory already, so the file is not read again). Only where no date in the file tells does the
order come from what else the file shows (see ``origin_hints``), and a warning then says the order
was inferred and from which hints: it is never chosen silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fintrace_pipeline.ingest.dates import DMY, MDY, DateShapes, DayMonthVotes, day_month_votes, shape_order
from fintrace_pipeline.ingest.origin_hints import OriginHints

_READ_AS = {DMY: "day/month/year", MDY: "month/day/year"}


@dataclass(frozen=True)
class DateOrder:
    order: str  # a dates.* convention: DMY, MDY, ISO, ...
    warning: str | None = None  # set where the order was inferred rather than read from the dates


def choose_date_order(
    sample_columns: list[DateShapes],
    file_columns: Callable[[], list[DateShapes]],
    hints: OriginHints,
    headers: list[str],
) -> DateOrder:
    """The order for date columns with these ``headers``: from the sample, else from the whole
    columns (``file_columns`` gives them, asked only when the sample cannot tell), else from ``hints``."""
    votes = day_month_votes(sample_columns) if sample_columns else None
    if votes is not None and votes.order:
        return DateOrder(votes.order)
    columns = file_columns()
    votes = day_month_votes(columns)
    if votes is None:
        return DateOrder(shape_order(columns))
    if votes.order:
        return DateOrder(votes.order)
    return inferred_order(votes, hints, headers)


def inferred_order(votes: DayMonthVotes, hints: OriginHints, headers: list[str]) -> DateOrder:
    """Day first where the file shows it comes from a day-first convention; else as the country
    writes dates; else month first. The warning names what decided."""
    named = ", ".join(repr(h) for h in headers)
    ambiguous = f"no date in {named} has a day above 12, so the dates do not tell day from month"
    reasons = ["dates written with dots (dd.mm.yyyy)"] if votes.mostly_dotted else []
    reasons += hints.day_first_reasons()
    country = hints.country_order()
    if reasons:
        order = DMY
        if country == MDY:
            reasons.append(f"although the country {hints.country} writes the month first")
    elif country:
        order, reasons = country, [f"the country {hints.country}"]
    else:
        return DateOrder(
            MDY,
            f"{ambiguous}; nothing in the file hints at its convention, so they were read as "
            f"{_READ_AS[MDY]} (mdy); give the file's country to read them otherwise",
        )
    return DateOrder(
        order,
        f"{ambiguous}; the order was inferred from hints ({'; '.join(reasons)}) and they were read as "
        f"{_READ_AS[order]} ({order})",
    )
