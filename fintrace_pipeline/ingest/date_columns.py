"""A table's date columns as ingest reads them: shapes with placeholders made empty, and posting
dates that a system left unset filled from the row's next best date column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest import dates, values
from fintrace_pipeline.ingest.mapping import MappingProposal
from fintrace_pipeline.ingest.placeholders import MissingValues


def date_shapes(text: pd.Series, placeholders: MissingValues) -> dates.DateShapes:
    """A date column's shapes, with the placeholders among its shapeless values ("N/A") made empty."""
    shapes = dates.classify_dates(text)
    shapeless = text.notna().to_numpy() & ~np.logical_or.reduce(list(shapes.masks.values()))
    found = placeholders.among(text, shapeless)
    return dates.DateShapes(text=text.mask(found), masks=shapes.masks) if found.any() else shapes


def fill_placeholder_dates(
    posting_date: pd.Series,
    proposal: MappingProposal,
    cells: pd.DataFrame,
    placeholders: MissingValues,
    date_order: str,
    warnings: list[str],
) -> pd.Series:
    """Posting dates a system wrote where none was set (1900-01-01) take the date of the next best
    date column of the row, when it has a real one; the rest stay as written. Both are reported."""
    header = proposal.mapping["posting_date"]
    unset = dates.is_placeholder_date(posting_date).copy()
    for other in proposal.other_dates:
        if not unset.any():
            break
        filler = dates.parse_dates(date_shapes(values.clean_text(cells[other]), placeholders), date_order)
        usable = unset & filler.notna().to_numpy() & ~dates.is_placeholder_date(filler)
        if usable.any():
            posting_date = posting_date.mask(usable, filler)
            unset &= ~usable
            warnings.append(
                f"{int(usable.sum()):,} posting date(s) in {header!r} are a date systems write when none was set "
                f"(such as 1900-01-01); those rows take their date from {other!r}"
            )
    left = dates.placeholder_date_warning(header, posting_date)
    if left:
        warnings.append(left)
    return posting_date
