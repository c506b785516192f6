"""Journal rules: entries that do not balance, entry numbers reused on other dates, gaps in numbering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.flags import build_flags
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.rules import RULES, plural_s

# Prefix, the last run of digits, and a non-digit suffix: "JE-2024-000123" -> ("JE-2024-", 123, "").
_JE_PATTERN = r"^(?P<prefix>.*?)(?P<number>\d{1,18})(?P<suffix>\D*)$"


@dataclass(frozen=True)
class JournalRuleOptions(Options):
    balance_tolerance: float = 0.0
    je_gap_min_density: float = 0.5
    max_reported_gaps: int = 200


def check_journal_rules(run: RuleRun, options: JournalRuleOptions) -> None:
    tx = run.transactions

    def gaps() -> None:
        found, stats = je_gaps(tx["je_number"], options.je_gap_min_density)
        stats["listed"] = min(len(found), options.max_reported_gaps)
        stats["list"] = found.drop(columns="pattern").head(options.max_reported_gaps).to_dict("records")
        not_sequential = "journal entry numbers do not follow a sequential numbering"
        run.record(
            "JE_NUMBER_GAP", je_gap_flags(tx, found), stats, None if stats["sequential_patterns"] else not_sequential
        )

    run.run_rule(
        "UNBALANCED_ENTRY",
        lambda: run.record("UNBALANCED_ENTRY", *unbalanced_entry_flags(tx, options.balance_tolerance)),
    )
    run.run_rule("JE_NUMBER_DUPLICATE", lambda: run.record("JE_NUMBER_DUPLICATE", *je_duplicate_flags(tx)))
    run.run_rule("JE_NUMBER_GAP", gaps)


def unbalanced_entry_flags(
    transactions: pd.DataFrame, tolerance: float
) -> tuple[pd.DataFrame, dict[str, Any], str | None]:
    """Every line of a journal entry whose debits and credits differ by more than ``tolerance``.

    Returns flags, a summary and the reason the check did not apply, if it did not: a file whose
    entries are mostly single lines, or that has no credit lines, is not a double-entry journal.
    """
    je = text_values(transactions["je_number"])
    usable = je.notna().to_numpy()
    amounts = transactions["amount"].to_numpy(dtype="float64")[usable]
    codes, entries = pd.factorize(je[usable])
    lines = np.bincount(codes, minlength=len(entries))
    stats: dict[str, Any] = {"entries": int(len(entries))}
    if len(entries) == 0 or np.median(lines) < 2:
        return build_flags([], "UNBALANCED_ENTRY", [], []), stats, "journal entries mostly have a single line"
    if not (amounts < 0).any():
        return build_flags([], "UNBALANCED_ENTRY", [], []), stats, "no credit lines (single-sided file)"
    cents = np.rint(np.nan_to_num(amounts) * 100)
    debit_cents = np.bincount(codes, weights=np.where(cents > 0, cents, 0), minlength=len(entries))
    credit_cents = -np.bincount(codes, weights=np.where(cents < 0, cents, 0), minlength=len(entries))
    difference = debit_cents - credit_cents
    unbalanced = np.abs(difference) > tolerance * 100 + 0.5
    stats["unbalanced_entries"] = int(unbalanced.sum())
    hit = unbalanced[codes]
    hit_codes = codes[hit]
    names = entries.to_numpy()[hit_codes].tolist()
    hit_lines = lines[hit_codes].tolist()
    debits, credits = (debit_cents[hit_codes] / 100).tolist(), (credit_cents[hit_codes] / 100).tolist()
    differences = (difference[hit_codes] / 100).tolist()
    reasons = RULES["UNBALANCED_ENTRY"].reasons(
        len(names),
        je_number=names,
        lines=hit_lines,
        debits=debits,
        credits=credits,
        off=[abs(d) for d in differences],
    )
    details = [
        {"je_number": name, "lines": n, "debits": d, "credits": c, "difference": diff}
        for name, n, d, c, diff in zip(names, hit_lines, debits, credits, differences, strict=True)
    ]
    rows = transactions["row_number"].to_numpy()[usable][hit]
    return build_flags(rows, "UNBALANCED_ENTRY", reasons, details, group_id=[f"je:{n}" for n in names]), stats, None


def je_duplicate_flags(transactions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every line of a journal entry number that appears on more than one posting date."""
    je = text_values(transactions["je_number"])
    usable = je.notna().to_numpy()
    codes, entries = pd.factorize(je[usable])
    days = transactions["posting_date"].to_numpy()[usable].astype("datetime64[D]")
    frame = pd.DataFrame({"code": codes, "day": days})
    by_entry = frame.groupby("code", sort=True)["day"]
    date_count = by_entry.nunique().reindex(range(len(entries))).to_numpy()
    first = by_entry.min().reindex(range(len(entries))).to_numpy().astype("datetime64[D]")
    last = by_entry.max().reindex(range(len(entries))).to_numpy().astype("datetime64[D]")
    reused = date_count > 1
    hit = reused[codes] if len(codes) else np.zeros(0, dtype=bool)
    hit_codes = codes[hit]
    names = entries.to_numpy()[hit_codes].tolist()
    counts = date_count[hit_codes].tolist()
    firsts = np.datetime_as_string(first[hit_codes], unit="D")
    lasts = np.datetime_as_string(last[hit_codes], unit="D")
    own = np.datetime_as_string(days[hit], unit="D")
    reasons = RULES["JE_NUMBER_DUPLICATE"].reasons(len(names), je_number=names, dates=counts, first=firsts, last=lasts)
    details = [
        {"je_number": name, "posting_dates": k, "first_date": f, "last_date": la, "posting_date": d}
        for name, k, f, la, d in zip(names, counts, firsts, lasts, own, strict=True)
    ]
    rows = transactions["row_number"].to_numpy()[usable][hit]
    stats = {"reused_numbers": int(reused.sum())}
    return build_flags(rows, "JE_NUMBER_DUPLICATE", reasons, details, group_id=[f"je:{n}" for n in names]), stats


def je_gaps(je_numbers: pd.Series, min_density: float) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Gaps in the numeric part of journal entry numbers, per numbering pattern (prefix + suffix).

    A pattern counts as sequential when its distinct numbers fill at least ``min_density`` of the
    range they span; random-looking identifiers are not checked. Returns one row per gap with the
    entry before and after it (sorted by pattern and number) and a summary.
    """
    distinct = pd.Series(text_values(je_numbers).dropna().unique(), dtype="string")
    # pyarrow's RE2 extraction is several times faster than pandas' per-string regex here.
    extracted = pc.extract_regex(pa.array(distinct.to_numpy(dtype=object), type=pa.string()), _JE_PATTERN)
    parts = pd.DataFrame({name: extracted.field(name).to_pandas() for name in ("prefix", "number", "suffix")})
    parts["je_number"] = distinct.to_numpy(dtype=object)
    parts = parts[extracted.is_valid().to_numpy(zero_copy_only=False)]
    parts["pattern"] = parts["prefix"].fillna("") + "#" + parts["suffix"].fillna("")
    parts["number"] = parts["number"].astype("int64")
    parts = parts.sort_values(["pattern", "number", "je_number"]).drop_duplicates(["pattern", "number"])
    by_pattern = parts.groupby("pattern", sort=False)["number"]
    span = by_pattern.transform("max") - by_pattern.transform("min") + 1
    density = by_pattern.transform("size") / span
    sequential = parts[(density >= min_density).to_numpy() & (by_pattern.transform("size") >= 3).to_numpy()]
    step = sequential.groupby("pattern", sort=False)["number"].diff()
    previous = sequential.groupby("pattern", sort=False)["je_number"].shift()
    gap_rows = (step > 1).to_numpy()
    gaps = pd.DataFrame(
        {
            "pattern": sequential["pattern"].to_numpy()[gap_rows],
            "before": previous.to_numpy()[gap_rows],
            "after": sequential["je_number"].to_numpy()[gap_rows],
            "first_missing": (sequential["number"] - step + 1).to_numpy()[gap_rows].astype("int64"),
            "last_missing": (sequential["number"] - 1).to_numpy()[gap_rows].astype("int64"),
        }
    )
    gaps["missing"] = gaps["last_missing"] - gaps["first_missing"] + 1
    patterns = parts["pattern"].nunique()
    checked = sequential["pattern"].nunique()
    stats = {
        "patterns": int(patterns),
        "sequential_patterns": int(checked),
        "gaps": int(len(gaps)),
        "missing_numbers": int(gaps["missing"].sum()),
    }
    return gaps, stats


def je_gap_flags(transactions: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """Every line of the entry that follows a gap."""
    je = text_values(transactions["je_number"])
    info = gaps.set_index("after")
    mask = je.isin(info.index).fillna(False).to_numpy(dtype=bool)
    names = je[mask].tolist()
    matched = info.loc[names]
    before, missing = matched["before"].tolist(), matched["missing"].tolist()
    first, last = matched["first_missing"].tolist(), matched["last_missing"].tolist()
    rule = RULES["JE_NUMBER_GAP"]
    spans = rule.fill_phrases(
        ["one" if lo == hi else "range" for lo, hi in zip(first, last, strict=True)], first=first, last=last
    )
    reasons = rule.reasons(
        len(names), je_number=names, previous=before, missing=missing, s=plural_s(missing), span=spans
    )
    details = [
        {"je_number": name, "previous_je_number": b, "first_missing": lo, "last_missing": hi, "missing": k}
        for name, b, lo, hi, k in zip(names, before, first, last, missing, strict=True)
    ]
    return build_flags(transactions["row_number"].to_numpy()[mask], "JE_NUMBER_GAP", reasons, details)
