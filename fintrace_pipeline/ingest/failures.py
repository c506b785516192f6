"""Messages for files that cannot be loaded, written so the person can fix them on the spot:
what is missing, the columns that come closest (with sample values), and a mapping to paste."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pandas as pd

from fintrace_pipeline.ingest.column_profile import ColumnProfile
from fintrace_pipeline.ingest.header_rules import score_header
from fintrace_pipeline.ingest.mapping import MappingProposal

SHOWN_CANDIDATES = 3
SHOWN_VALUES = 2
SHOWN_FAILURES = 3
_WHAT = {"posting_date": "a posting date", "amount": "an amount (or a debit/credit pair)"}


def unmatched_message(proposal: MappingProposal, sample: pd.DataFrame) -> str:
    """Why the file cannot be mapped, the closest headers with two sample values each, and a
    ready-to-paste ``--mapping``."""
    parts = []
    suggestion = {
        name: proposal.mapping[name]
        for name in ("posting_date", "amount", "debit", "credit")
        if name in proposal.mapping
    }
    free = [h for h in proposal.headers if h not in suggestion.values()]
    for name in proposal.missing:
        closest = closest_headers(name, free, sample)
        shown = ", ".join(f"{h!r} (e.g. {', '.join(repr(v) for v in _examples(sample[h]))})" for h in closest)
        parts.append(f"no column looks like {_WHAT[name]}; closest: {shown or 'none (no other column has values)'}")
        if closest:
            suggestion[name] = closest[0]
            free = [h for h in free if h != closest[0]]
    return "; ".join(parts) + f". Name the columns with --mapping '{json.dumps(suggestion, ensure_ascii=False)}'"


def closest_headers(name: str, headers: Sequence[str], sample: pd.DataFrame) -> list[str]:
    """The headers most like ``name`` (columns with values only): by how many of their values fit,
    then by the header; without any such evidence, the first columns with values."""
    ranked = []
    for header in headers:
        profile = ColumnProfile(sample[header])
        if not profile.filled:
            continue
        scored = score_header(name, header)
        fit = profile.date_share if name == "posting_date" else profile.amount_share * (1 - profile.date_share)
        ranked.append((fit, scored.score if scored else 0.0, header))
    ranked.sort(key=lambda r: (-r[0], -r[1]))
    likely = [header for fit, score, header in ranked if fit > 0 or score > 0]
    return (likely or [header for _, _, header in ranked])[:SHOWN_CANDIDATES]


def every_row_rejected_message(result, reason_columns: Mapping[str, Sequence[str]]) -> str:
    """What went wrong with every row: the reasons with their counts, the first failing values."""
    counts = result.rejection_counts()
    rejected = result.rejected
    reasons = ", ".join(f"{c['reason']} ({c['rows']:,} rows)" for c in counts)
    top = counts[0]["reason"]
    headers = [result.column_mapping[n] for n in reason_columns.get(top, ()) if n in result.column_mapping]
    failing = rejected[rejected["reason"] == top].head(SHOWN_FAILURES)
    shown = []
    for row_number, raw in zip(failing["row_number"], failing["raw_values"], strict=True):
        cells = {h: raw.get(h, "") for h in headers} if headers else raw
        shown.append(f"row {row_number}: " + ", ".join(f"{h!r}={v!r}" for h, v in list(cells.items())[:6]))
    mapping = ", ".join(f"{name} <- {header!r}" for name, header in result.column_mapping.items())
    return (
        f"every data row was rejected ({len(rejected):,} rows): {reasons}. First failing values: "
        f"{'; '.join(shown)}. Mapping used: {mapping}"
    )


def _examples(values: pd.Series) -> list[str]:
    return values.dropna().drop_duplicates().head(SHOWN_VALUES).tolist()
