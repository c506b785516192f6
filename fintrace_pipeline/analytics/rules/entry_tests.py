"""Journal-entry tests auditing standards ask for: entries at a period's end, entries keyed in after the
period was closed, entries from manual sources and descriptions with suspicious keywords.

Where the file numbers its journal entries, each test judges the entry: a hit on one line flags every
line of its entry, under the entry's group (``je:<number>``), as the other journal rules do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fintrace_pipeline.analytics.columns import iso_days, text_values
from fintrace_pipeline.analytics.flags import build_flags
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.analytics.suspicious_words import LANGUAGES, keyword_pattern, keywords_for
from fintrace_pipeline.country_calendar import holiday_language
from fintrace_pipeline.rules import RULES, plural_s

DEFAULT_MANUAL_SOURCES = ("manual", "JE", "spreadsheet")
MAX_DESCRIPTION_SHOWN = 80


@dataclass(frozen=True)
class EntryTestOptions(Options):
    period_end_days: int = 3  # the last N calendar days of a period
    period_ends: tuple[str, ...] | None = None  # ISO dates of the periods' last days; None: every month's
    period_close_date: str | None = None  # ISO date the closed period was closed on; None: not tested
    closed_period_end: str | None = None  # the closed period's last day; None: the month end before the close
    manual_sources: tuple[str, ...] = DEFAULT_MANUAL_SOURCES  # words of the source column meaning "keyed by hand"
    suspicious_keywords: tuple[str, ...] | None = None  # None: English and the file's language
    keyword_language: str | None = None  # None: the language of the file's country


def check_entry_tests(run: RuleRun, options: EntryTestOptions, country: str) -> None:
    """The four tests; ``country`` (the file's) chooses the keywords' language unless one is set."""
    tx = run.transactions
    entries = Entries.of(tx)

    def post_close() -> None:
        if options.period_close_date is None:
            run.skip("POST_CLOSE_ENTRY", "the period close date is not set (option period_close_date)")
        else:
            run.record("POST_CLOSE_ENTRY", *post_close_flags(tx, entries, options))

    def keywords() -> None:
        language = options.keyword_language or country_language(country)
        run.record("SUSPICIOUS_KEYWORD", *suspicious_keyword_flags(tx, entries, options, language))

    run.run_rule("PERIOD_END_ENTRY", lambda: run.record("PERIOD_END_ENTRY", *period_end_flags(tx, entries, options)))
    run.run_rule("POST_CLOSE_ENTRY", post_close)
    run.run_rule("MANUAL_ENTRY", lambda: run.record("MANUAL_ENTRY", *manual_entry_flags(tx, entries, options)))
    run.run_rule("SUSPICIOUS_KEYWORD", keywords)


def distinct_text(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per value, -1 for blank; the distinct stripped texts): stripped once per distinct value."""
    raw_codes, raw = pd.factorize(values)
    cleaned = text_values(pd.Series(raw, dtype="string"))
    codes, names = pd.factorize(cleaned)
    mapped = np.where(raw_codes >= 0, codes[np.maximum(raw_codes, 0)] if len(codes) else -1, -1)
    return mapped, np.asarray(names, dtype=object)


@dataclass(frozen=True)
class Entries:
    """The journal entry of each line (-1 for none) and the entries' numbers; no entries without je_number."""

    codes: np.ndarray
    names: np.ndarray
    lines: np.ndarray  # lines per entry

    @classmethod
    def of(cls, transactions: pd.DataFrame) -> Entries:
        if "je_number" not in transactions.columns:
            return cls(np.full(len(transactions), -1), np.array([], dtype=object), np.zeros(0, dtype="int64"))
        codes, names = distinct_text(transactions["je_number"])
        return cls(codes, names, np.bincount(codes[codes >= 0], minlength=len(names)))

    def spread(self, hit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lines flagged, for each flagged line the line whose hit it carries): a hit line's whole entry
        is flagged and carries the entry's first hit; lines without an entry carry their own."""
        flagged = hit.copy()
        source = np.arange(len(hit))
        in_entry = self.codes >= 0
        if in_entry.any() and hit.any():
            first = np.full(len(self.names), -1)
            hit_lines = np.flatnonzero(hit & in_entry)
            # The first hit line of each entry (reversed assignment keeps the smallest position).
            first[self.codes[hit_lines[::-1]]] = hit_lines[::-1]
            carried = np.where(in_entry, first[np.maximum(self.codes, 0)], -1)
            flagged = np.where(in_entry, carried >= 0, hit)
            source = np.where(in_entry & (carried >= 0), carried, source)
        return flagged, source[flagged]

    def phrases(self, code: str, positions: np.ndarray) -> list[str]:
        """The rule's "entry" phrase for lines of an entry, "" for the others."""
        entry = self.codes[positions]
        choice = ["entry" if c >= 0 else "line" for c in entry]
        names = [str(self.names[c]) if c >= 0 else "" for c in entry]
        lines = [int(self.lines[c]) if c >= 0 else 0 for c in entry]
        return RULES[code].fill_phrases(choice, je_number=names, lines=lines, s=plural_s(lines))

    def group_ids(self, positions: np.ndarray) -> list[str | None]:
        return [f"je:{self.names[c]}" if c >= 0 else None for c in self.codes[positions]]

    def count(self, flagged: np.ndarray) -> int:
        """Flagged units: entries where lines have one, and the other lines."""
        codes = self.codes[flagged]
        return int(len(np.unique(codes[codes >= 0])) + (codes < 0).sum())


def _flags(
    transactions: pd.DataFrame,
    entries: Entries,
    code: str,
    hit: np.ndarray,
    reason_values: dict[str, Any],
    details: dict[str, Any],
) -> tuple[pd.DataFrame, int]:
    """The flags of ``code`` for the lines hit, spread to their entries. Values are given per hit line (in
    line order, a single value for all); a flagged line takes those of the hit line it carries, so each
    reason is written once per hit line and shared by the lines that carry it."""
    flagged, source = entries.spread(hit)
    positions = np.flatnonzero(flagged)
    carriers, shared = np.unique(source, return_inverse=True)
    pick = (np.cumsum(hit) - 1)[carriers]

    def carried(value: Any) -> Any:
        return value if isinstance(value, str) else np.asarray(value, dtype=object)[pick].tolist()

    values = {name: carried(v) for name, v in reason_values.items()}
    reasons = RULES[code].reasons(len(carriers), entry=entries.phrases(code, carriers), **values)
    detail_values = {name: carried(v) for name, v in details.items()}
    entry_codes = entries.codes[carriers]
    rows = [dict(zip(detail_values, items, strict=True)) for items in zip(*detail_values.values(), strict=True)]
    for row, c in zip(rows, entry_codes.tolist(), strict=True):
        if c >= 0:
            row["je_number"] = str(entries.names[c])
    carried_rows = np.empty(len(rows), dtype=object)
    carried_rows[:] = rows
    groups = np.asarray(entries.group_ids(carriers), dtype=object)
    flags = build_flags(
        transactions["row_number"].to_numpy()[positions],
        code,
        np.asarray(reasons, dtype=object)[shared],
        carried_rows[shared],
        group_id=groups[shared],
    )
    return flags, entries.count(flagged)


# --- period end -------------------------------------------------------------------------------------


def period_end_of(posted: np.ndarray, period_ends: tuple[str, ...] | None) -> np.ndarray:
    """Each day's period end: its month's last day, or the first configured end on or after it (NaT
    after the last one)."""
    if period_ends is None:
        months = posted.astype("datetime64[M]")
        return (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    ends = np.sort(np.array(period_ends, dtype="datetime64[D]"))
    index = np.searchsorted(ends, posted)
    inside = index < len(ends)
    out = np.full(len(posted), np.datetime64("NaT"), dtype="datetime64[D]")
    out[inside] = ends[index[inside]]
    return out


def period_end_flags(
    transactions: pd.DataFrame, entries: Entries, options: EntryTestOptions
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Lines posted in the last ``period_end_days`` days of their period (with their entries)."""
    posted = transactions["posting_date"].to_numpy().astype("datetime64[D]")
    ends = period_end_of(posted, options.period_ends)
    before = (ends - posted).astype("int64")
    hit = ~np.isnat(ends) & ~np.isnat(posted) & (before >= 0) & (before < options.period_end_days)
    rule = RULES["PERIOD_END_ENTRY"]
    days = before[hit].tolist()
    when = rule.fill_phrases(["last" if d == 0 else "before" for d in days], days=days, s=plural_s(days))
    dates, end_text = iso_days(posted[hit]), iso_days(ends[hit])
    flags, units = _flags(
        transactions,
        entries,
        "PERIOD_END_ENTRY",
        hit,
        {"date": dates, "when": when, "period_end": end_text},
        {"posting_date": dates, "period_end": end_text, "days_before_end": days},
    )
    stats = {
        "window_days": options.period_end_days,
        "periods": "configured" if options.period_ends is not None else "calendar months",
        "flagged_lines": int(len(flags)),
        "flagged_units": units,
    }
    return flags, stats


# --- after the close --------------------------------------------------------------------------------


def closed_period_end(options: EntryTestOptions) -> np.datetime64:
    """The closed period's last day: configured, or the last month end before the close date."""
    if options.closed_period_end is not None:
        return np.datetime64(options.closed_period_end, "D")
    close = np.datetime64(options.period_close_date, "D")
    return close.astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")


def post_close_flags(
    transactions: pd.DataFrame, entries: Entries, options: EntryTestOptions
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Lines posted into the closed period but keyed in after it was closed."""
    close = np.datetime64(options.period_close_date, "D")
    period_end = closed_period_end(options)
    posted = transactions["posting_date"].to_numpy().astype("datetime64[D]")
    entered = transactions["entry_date"].to_numpy().astype("datetime64[D]")
    hit = ~np.isnat(entered) & (posted <= period_end) & (entered > close)
    late = (entered[hit] - close).astype("int64").tolist()
    entered_text, posted_text = iso_days(entered[hit]), iso_days(posted[hit])
    flags, units = _flags(
        transactions,
        entries,
        "POST_CLOSE_ENTRY",
        hit,
        {
            "entry_date": entered_text,
            "close_date": str(close),
            "period_end": str(period_end),
            "posting_date": posted_text,
        },
        {
            "posting_date": posted_text,
            "entry_date": entered_text,
            "close_date": np.full(len(late), str(close), dtype=object),
            "closed_period_end": np.full(len(late), str(period_end), dtype=object),
            "days_after_close": late,
        },
    )
    stats = {"close_date": str(close), "closed_period_end": str(period_end), "flagged_units": units}
    return flags, stats


# --- manual sources ---------------------------------------------------------------------------------


def _word_matches(values: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value: whether its folded text holds a match of ``pattern`` (group ``keyword``), the match,
    and the (stripped) text, both None where there is no match.

    Distinct values are folded and searched once, with pyarrow's RE2, and mapped back."""
    codes, distinct = distinct_text(values)
    none = np.full(len(values), None, dtype=object)
    if len(distinct) == 0:
        return np.zeros(len(values), dtype=bool), none, none
    text = pa.array(distinct, type=pa.string())
    folded = pc.replace_substring_regex(pc.utf8_normalize(pc.utf8_lower(text), "NFKD"), r"\p{Mn}", "")
    found = pc.extract_regex(folded, pattern)
    matched = found.is_valid().to_numpy(zero_copy_only=False)
    words = np.asarray(found.field("keyword").to_pandas(), dtype=object)
    safe = np.maximum(codes, 0)
    hit = (codes >= 0) & matched[safe]
    return hit, np.where(hit, words[safe], None), np.where(hit, distinct[safe], None)


def manual_entry_flags(
    transactions: pd.DataFrame, entries: Entries, options: EntryTestOptions
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Lines whose source names a manual source (whole words, any case: "Manual JE", "spreadsheet upload")."""
    stats: dict[str, Any] = {"manual_sources": list(options.manual_sources)}
    if not options.manual_sources:
        return build_flags([], "MANUAL_ENTRY", [], []), stats
    hit, words, texts = _word_matches(
        transactions["source"], keyword_pattern([s.lower() for s in options.manual_sources])
    )
    source_text = texts[hit]
    flags, units = _flags(
        transactions,
        entries,
        "MANUAL_ENTRY",
        hit,
        {"source": source_text, "term": words[hit]},
        {"source": source_text, "matched": words[hit]},
    )
    stats["flagged_units"] = units
    return flags, stats


# --- suspicious keywords ----------------------------------------------------------------------------


def country_language(country: str) -> str | None:
    """The language of a country's calendar ("de" for DE, "pt_BR" for BR); None for an unknown country."""
    try:
        return holiday_language(country, None)
    except ValueError:
        return None


def _lists_used(language: str | None) -> str:
    code = (language or "en").split("_")[0].lower()
    return "English" if code == "en" or code not in LANGUAGES else f"English and {code}"


def suspicious_keyword_flags(
    transactions: pd.DataFrame, entries: Entries, options: EntryTestOptions, language: str | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Lines whose description holds one of the keywords (with their entries); without configured
    keywords, the English ones and those of ``language``."""
    keywords = options.suspicious_keywords
    if keywords is None:
        keywords = keywords_for(language)
    stats: dict[str, Any] = {
        "keywords": "configured" if options.suspicious_keywords is not None else _lists_used(language),
        "keyword_count": len(keywords),
    }
    if not keywords:
        return build_flags([], "SUSPICIOUS_KEYWORD", [], []), stats
    hit, words, texts = _word_matches(transactions["description"], keyword_pattern([k.lower() for k in keywords]))
    text = texts[hit]
    shown = [t if len(t) <= MAX_DESCRIPTION_SHOWN else t[: MAX_DESCRIPTION_SHOWN - 1] + "…" for t in text]
    flags, units = _flags(
        transactions,
        entries,
        "SUSPICIOUS_KEYWORD",
        hit,
        {"description": shown, "keyword": words[hit]},
        {"description": text, "keyword": words[hit]},
    )
    matched = pd.Series(words[hit]).value_counts().head(20)
    stats |= {"flagged_units": units, "keywords_found": {str(k): int(v) for k, v in matched.items()}}
    return flags, stats
