"""What ingest would make of a file, before anything is stored: its format, the proposed mapping with
confidences and parsed sample values, the unmapped columns and the warnings.

Only the head of the file is read (the header and up to ``PREVIEW_ROWS`` rows), so a preview costs
the same for any file size. The answer is a JSON-ready dict.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline import canonical
from fintrace_pipeline.ingest import dates, debit_credit, values
from fintrace_pipeline.ingest.date_columns import date_shapes, fill_placeholder_dates
from fintrace_pipeline.ingest.date_order import DateOrder, choose_date_order
from fintrace_pipeline.ingest.failures import unmatched_message
from fintrace_pipeline.ingest.mapping import MappingProposal, propose_mapping
from fintrace_pipeline.ingest.origin_hints import OriginHints, origin_hints
from fintrace_pipeline.ingest.placeholders import MissingValues
from fintrace_pipeline.ingest.reader import read_table
from fintrace_pipeline.ingest.sample import inference_sample
from fintrace_pipeline.ingest.times import add_time_of_day
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.settings import DEFAULT_MISSING_VALUES

PREVIEW_ROWS = 1_000
SAMPLE_VALUES = 3
_DATE_COLUMNS = ("posting_date", "entry_date", "document_date")
_MONEY_COLUMNS = ("amount", "debit", "credit")


def preview_file(
    path: Path,
    *,
    user_mapping: dict[str, str] | None = None,
    max_decompressed_bytes: int,
    max_rows: int,
    missing_values: Collection[str] = DEFAULT_MISSING_VALUES,
    country: str | None = None,
) -> dict[str, Any]:
    """The proposed reading of ``path``. Raises IngestError only for a file that cannot be read at
    all; a file without a date or amount column is answered with what is missing and a mapping to try.
    ``country`` is where the file comes from, as for ``ingest_file``."""
    table = read_table(
        Path(path),
        user_mapping=user_mapping,
        max_decompressed_bytes=max_decompressed_bytes,
        max_rows=max_rows,
        sample_rows=PREVIEW_ROWS,
    )
    placeholders = MissingValues(missing_values)
    sample = inference_sample(table, placeholders, size=PREVIEW_ROWS)
    proposal = propose_mapping(table.headers, sample, user_mapping)
    warnings = list(proposal.warnings)
    chosen = _date_order(proposal, sample, origin_hints(table.headers, sample, proposal.mapping, country))
    if chosen is not None and chosen.warning:
        warnings.append(chosen.warning)
    order = chosen.order if chosen is not None else None
    parsed = {}
    if "posting_date" in proposal.mapping:
        shapes = date_shapes(sample[proposal.mapping["posting_date"]], placeholders)
        posting = dates.parse_dates(shapes, order)
        parsed["posting_date"] = fill_placeholder_dates(posting, proposal, sample, placeholders, order, warnings)
    for name, header in proposal.time_columns.items():
        stamps = parsed.get(name)
        if stamps is None:
            stamps = dates.parse_dates(dates.classify_dates(sample[proposal.mapping[name]]), order)
        parsed[name] = add_time_of_day(stamps, sample[header])[0]
    columns = _columns(proposal, sample, parsed, order)
    return json_safe(
        {
            "file_name": Path(path).name,
            "file_format": table.file_format,
            "compression": table.compression,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "sheet_name": table.sheet_name,
            "header_row": table.header_row,
            "date_format": order,
            "rows_sampled": table.rows_read,
            "headers": table.headers,
            "mappable_columns": list(canonical.MAPPABLE),
            "columns": columns,
            "unmapped_columns": proposal.unmapped,
            "missing": proposal.missing,
            "problem": unmatched_message(proposal, sample) if proposal.missing else None,
            "warnings": warnings,
            "notes": table.notes,
        }
    )


def _columns(
    proposal: MappingProposal, sample: pd.DataFrame, parsed: dict[str, pd.Series], order: str | None
) -> list[dict[str, Any]]:
    details = proposal.details()
    signs = None
    if "debit_credit_indicator" in proposal.mapping:
        signs = debit_credit.signs(sample[proposal.mapping["debit_credit_indicator"]])
    columns = []
    for name, choice in proposal.choices.items():
        column = sample[choice.header]
        first = column.notna().to_numpy().nonzero()[0][:SAMPLE_VALUES]
        if name in parsed:
            samples = [None if pd.isna(v) else v.isoformat() for v in parsed[name].iloc[first]]
        else:
            samples = _parsed_samples(name, column, first, order, signs)
        columns.append({"canonical": name, **details[name], "samples": samples})
    return columns


def _date_order(proposal: MappingProposal, sample: pd.DataFrame, hints: OriginHints) -> DateOrder | None:
    """The date order as ingest decides it, from the rows the preview reads."""
    headers = [proposal.mapping[n] for n in _DATE_COLUMNS if n in proposal.mapping]
    if not headers:
        return None
    columns = [dates.classify_dates(sample[h]) for h in headers]
    return choose_date_order(columns, lambda: columns, hints, headers)


def _parsed_samples(
    name: str, column: pd.Series, first: np.ndarray, date_order: str | None, signs: np.ndarray | None
) -> list[Any]:
    """The first few values as ingest would store them: dates as ISO text, amounts as numbers.

    The whole sampled column is parsed, so conventions (decimal comma, day/month order) are decided
    as ingest decides them."""
    if name in _DATE_COLUMNS:
        parsed = dates.parse_dates(dates.classify_dates(column), date_order or dates.ISO).iloc[first]
        return [None if pd.isna(v) else v.isoformat() for v in parsed]
    if name in _MONEY_COLUMNS:
        amounts = values.parse_amounts(column).values.to_numpy()
        if name == "amount" and signs is not None:
            amounts = debit_credit.apply_signs(amounts, signs)[0]
        return [None if np.isnan(v) else float(v) for v in amounts[first]]
    return column.iloc[first].tolist()
