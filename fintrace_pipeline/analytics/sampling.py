"""Monetary unit sampling (MUS): a reproducible selection of a file's lines in proportion to their size.

The method, so that another auditor can re-perform a selection from its stated parameters:

1. The population is every line with a non-zero amount, taken at its absolute amount, in row-number
   order; its total is the sum of those amounts.
2. The sampling interval is the population total divided by the sample size, or, from a confidence
   level and a tolerable misstatement, the tolerable misstatement divided by the confidence factor
   (the Poisson factor for no expected misstatement, −ln(1 − confidence): 3.00 at 95 %).
3. Lines of at least one interval are the top stratum: each is taken whole.
4. The random start is drawn from the seed (numpy's PCG64, ``default_rng(seed).random()`` × interval,
   rounded to the cent, never 0). Over the remaining lines the cumulative amount is run; the sampling
   points are start, start + interval, start + 2 × interval, ... and each point selects the line whose
   cumulative range (cumulative before it, cumulative after it] holds the point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.options import Options

METHOD = "monetary unit sampling: fixed interval, random start, top stratum taken whole"
# Columns of a selected line shown beside its amount, where the file has them.
SHOWN_COLUMNS = ("transaction_id", "je_number", "posting_date", "account", "vendor", "description")
MAX_SAMPLE_SIZE = 100_000
MAX_SEED = 2**32 - 1


class SamplingError(ValueError):
    """Sampling parameters that cannot be used, said in words."""


@dataclass(frozen=True)
class SamplingOptions(Options):
    size: int | None = None  # sample size n: interval = population / n
    confidence: float | None = None  # e.g. 0.95: with ``tolerable``, interval = tolerable / factor
    tolerable: float | None = None  # tolerable misstatement, in the file's currency
    seed: int = 0

    def __post_init__(self) -> None:
        if self.size is not None:
            if self.confidence is not None or self.tolerable is not None:
                raise SamplingError("give a sample size or a confidence with a tolerable misstatement, not both")
            if not 1 <= self.size <= MAX_SAMPLE_SIZE:
                raise SamplingError(f"the sample size must be between 1 and {MAX_SAMPLE_SIZE:,}, got {self.size}")
        elif self.confidence is None or self.tolerable is None:
            raise SamplingError("give a sample size, or both a confidence (such as 0.95) and a tolerable misstatement")
        else:
            if not 0 < self.confidence < 1:
                raise SamplingError(f"the confidence must be between 0 and 1 (such as 0.95), got {self.confidence}")
            if not (self.tolerable > 0 and math.isfinite(self.tolerable)):
                raise SamplingError(f"the tolerable misstatement must be a positive amount, got {self.tolerable}")
        if not 0 <= self.seed <= MAX_SEED:
            raise SamplingError(f"the seed must be a whole number from 0 to {MAX_SEED}, got {self.seed}")

    @property
    def confidence_factor(self) -> float | None:
        return None if self.confidence is None else -math.log(1 - self.confidence)


def random_start(seed: int, interval: float) -> float:
    """The first sampling point: in (0, interval], to the cent."""
    start = round(float(np.random.default_rng(seed).random()) * interval, 2)
    return max(start, 0.01)


def mus_sample(transactions: pd.DataFrame, options: SamplingOptions) -> dict[str, Any]:
    """The selection and everything needed to re-perform it (JSON-safe)."""
    ordered = transactions.sort_values("row_number", kind="stable")
    amounts = np.abs(ordered["amount"].to_numpy(dtype="float64"))
    amounts = np.where(np.isfinite(amounts), amounts, 0.0)
    cents = np.rint(amounts * 100).astype("int64")
    in_population = cents > 0
    population_cents = int(cents[in_population].sum())
    if population_cents == 0:
        raise SamplingError("the file has no non-zero amounts to sample")
    population = population_cents / 100
    if options.size is not None:
        interval = round(population / options.size, 2)
    else:
        interval = round(options.tolerable / options.confidence_factor, 2)  # type: ignore[operator]
    interval = max(interval, 0.01)
    top = in_population & (amounts >= interval)
    rest = in_population & ~top
    rest_cents = cents[rest]
    cumulative = np.cumsum(rest_cents) / 100
    rest_total = float(cumulative[-1]) if len(cumulative) else 0.0
    start = random_start(options.seed, interval)
    count = int(math.floor((rest_total - start) / interval)) + 1 if rest_total >= start else 0
    points = np.round(start + interval * np.arange(count), 2)
    chosen = np.searchsorted(cumulative, points - 1e-9, side="left")
    rest_positions = np.flatnonzero(rest)
    before = np.concatenate([[0.0], cumulative[:-1]]) if len(cumulative) else np.zeros(0)

    items: list[dict[str, Any]] = []
    for position in np.flatnonzero(top):
        items.append(_item(ordered, position, "top stratum", None, None))
    for point, index in zip(points.tolist(), chosen.tolist(), strict=True):
        items.append(_item(ordered, rest_positions[index], "sampling point", point, round(float(before[index]), 2)))
    items.sort(key=lambda item: item["row_number"])
    top_total = round(float(cents[top].sum()) / 100, 2)
    parameters = {
        "method": METHOD,
        "seed": options.seed,
        "sample_size_requested": options.size,
        "confidence": options.confidence,
        "confidence_factor": None if options.confidence_factor is None else round(options.confidence_factor, 4),
        "tolerable_misstatement": options.tolerable,
        "population_total": round(population, 2),
        "sampling_interval": interval,
        "random_start": start,
        "order": "row_number",
        "amounts": "absolute",
    }
    return {
        "parameters": parameters,
        "population": {
            "lines": int(in_population.sum()),
            "total": round(population, 2),
            "zero_lines_excluded": int((~in_population).sum()),
        },
        "top_stratum": {"lines": int(top.sum()), "total": top_total},
        "sampled_remainder": {"lines": int(rest.sum()), "total": round(rest_total, 2), "sampling_points": count},
        "sample_size": len(items),
        "distinct_lines": len({item["row_number"] for item in items}),
        "items": items,
        "reperform": reperform_text(parameters),
    }


def _item(frame: pd.DataFrame, position: int, selection: str, point: float | None, before: float | None) -> dict:
    row = frame.iloc[int(position)]
    item: dict[str, Any] = {
        "row_number": int(row["row_number"]),
        "amount": round(float(row["amount"]), 2),
        "selection": selection,
        "sampling_point": point,
        "cumulative_before": before,
    }
    for column in SHOWN_COLUMNS:
        if column in frame.columns:
            value = row[column]
            item[column] = (
                None if pd.isna(value) else (value.date().isoformat() if column == "posting_date" else str(value))
            )
    return item


def reperform_text(parameters: dict[str, Any]) -> str:
    """The selection's steps in words, with its numbers filled in."""
    how = (
        f"population total {parameters['population_total']:,.2f} / sample size {parameters['sample_size_requested']}"
        if parameters["sample_size_requested"] is not None
        else f"tolerable misstatement {parameters['tolerable_misstatement']:,.2f} / confidence factor "
        f"{parameters['confidence_factor']} (−ln(1 − {parameters['confidence']}))"
    )
    interval = parameters["sampling_interval"]
    return (
        f"Take every line with a non-zero amount at its absolute amount, in row-number order "
        f"(total {parameters['population_total']:,.2f}). Sampling interval: {how} = {interval:,.2f}. "
        f"Take whole every line of at least {interval:,.2f} (top stratum). Over the other lines run the cumulative "
        f"amount; the random start {parameters['random_start']:,.2f} (numpy default_rng({parameters['seed']}).random() "
        f"× interval, to the cent) is the first sampling point, then every {interval:,.2f} after it; "
        f"each point selects the line whose cumulative range holds it."
    )
