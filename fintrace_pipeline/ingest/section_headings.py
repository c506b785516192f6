"""Report layouts that name the account once, in a heading row above its lines (QuickBooks' general
ledger: "Company Checking Account" above its checks, "Total Company Checking Account" below them).

A heading row has no date, no amount and nothing in the mapped columns; its text sits in columns
that are empty on the dated rows. Nested headings sit one column further right each; a "Total ..."
row closes the heading at its column and those inside it. Each data row takes the innermost open
heading as its account. Only files without an account column of their own are read this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest.raw_table import DATA_CHARACTER
from fintrace_pipeline.ingest.values import contains

CARRIED = ("account", "account_name")
BY_HEADINGS = "heading rows"
LETTER = r"\pL"
MAX_FILLED_ON_DATED = 0.05  # a heading column holds text on at most this share of the dated rows
# "6000 · Rent Expense", "1200 - Inventory": an account number, a separator, the account's name.
_CODE_AND_NAME = re.compile(r"^\s*(\d[\d.\-]*)\s*(?:[·:–-]\s*|\s+)(\S.*?)\s*$")


@dataclass(frozen=True)
class CarriedHeadings:
    rows: np.ndarray  # bool per row: a heading row (not a transaction)
    account: pd.Series  # per row: the account number of its heading, else the heading text (NA: none)
    account_name: pd.Series  # per row: the name in its heading (NA: none)
    columns: list[str]  # the headers the headings sit in, outermost first
    share: float  # of the other rows, how many sit under a heading

    def mapping(self) -> dict[str, str]:
        return {name: self.columns[0] for name in CARRIED}

    def details(self) -> dict[str, dict]:
        """Mapping details of the carried columns, as ``MappingProposal.details`` gives them."""
        return {
            name: {
                "column": self.columns[0],
                "confidence": self.share,
                "decided_by": BY_HEADINGS,
                "runner_up": None,
                "heading_columns": list(self.columns),
            }
            for name in CARRIED
        }

    def note(self) -> str:
        where = ", ".join(repr(h) for h in self.columns)
        return f"accounts taken from {int(self.rows.sum()):,} heading row(s) above their lines (in {where})"


def carried_headings(
    cells: pd.DataFrame, mapping: dict[str, str], dateless: np.ndarray, footer: np.ndarray
) -> CarriedHeadings | None:
    """The headings of a table whose rows without a date (``dateless``) include heading rows; None
    when the mapping has an account column or no heading row is found. ``footer`` marks the
    "Total ..." rows."""
    if "account" in mapping or "account_name" in mapping or not dateless.any():
        return None
    mapped = set(mapping.values())
    free = [h for h in cells.columns if h not in mapped]
    candidates = np.flatnonzero(dateless & ~footer)
    if not free or not len(candidates):
        return None
    subset = cells.iloc[candidates]
    quiet = np.ones(len(subset), dtype=bool)  # nothing in any mapped column: no amount, no name, no id
    for header in mapped:
        quiet &= ~contains(subset[header], DATA_CHARACTER)
    lettered = {h: contains(subset[h], LETTER) for h in free}
    dated = ~dateless
    columns = [h for h in free if (lettered[h] & quiet).any() and _rarely_filled(cells[h], dated)]
    if not columns:
        return None
    # A heading row's text is all in heading columns: text elsewhere makes it some other row.
    inside = np.logical_or.reduce([lettered[h] for h in columns])
    outside = np.logical_or.reduce([lettered[h] for h in free if h not in columns] or [np.zeros(len(subset), bool)])
    heading = quiet & inside & ~outside
    if not heading.any():
        return None
    rows = np.zeros(len(cells), dtype=bool)
    rows[candidates[heading]] = True
    labels = _labels(cells, rows, footer, columns)
    under = labels.notna().to_numpy() & ~rows & ~footer
    if not under.any():
        return None
    labels = labels.where(~rows & ~footer)
    codes, texts = pd.factorize(labels)  # a few headings over many rows: each one is split once
    split = [_code_and_name(str(text)) for text in texts]
    account = _per_row(codes, [number for number, _ in split], labels.index)
    name = _per_row(codes, [title for _, title in split], labels.index)
    others = int((~rows & ~footer).sum())
    return CarriedHeadings(rows, account, name, columns, round(float(under.sum()) / others, 2) if others else 0.0)


def _per_row(codes: np.ndarray, values: list[str], index: pd.Index) -> pd.Series:
    """``values[code]`` for every row's code; NA where the code is -1 (no heading)."""
    table = np.array([*values, None], dtype=object)
    return pd.Series(table[codes], index=index, dtype="string")


def _code_and_name(heading: str) -> tuple[str, str]:
    """The account number and name a heading gives; the heading is both where it has no number."""
    found = _CODE_AND_NAME.match(heading)
    return (found.group(1), found.group(2)) if found else (heading, heading)


def _rarely_filled(column: pd.Series, dated: np.ndarray) -> bool:
    if not dated.any():
        return True
    return float(np.mean(contains(column[dated], LETTER))) <= MAX_FILLED_ON_DATED


def _labels(cells: pd.DataFrame, rows: np.ndarray, footer: np.ndarray, columns: list[str]) -> pd.Series:
    """Per row, the innermost heading open at it: headings open at their column, "Total" rows close
    every heading at or inside their column."""
    level = {h: cells.columns.get_loc(h) for h in columns}
    events = np.flatnonzero(rows | footer)
    stack: list[tuple[int, str]] = []
    after_event: list[str | None] = []
    for position in events:
        row = cells.iloc[position]
        texts = [(level[h], str(row[h]).strip()) for h in columns if str(row[h]).strip()]
        if footer[position]:
            closed_at = min((lvl for lvl, _ in texts), default=0)
            stack = [(lvl, text) for lvl, text in stack if lvl < closed_at]
        else:
            for lvl, text in sorted(texts):
                stack = [(open_level, t) for open_level, t in stack if open_level < lvl]
                stack.append((lvl, text))
        after_event.append(stack[-1][1] if stack else None)
    latest = np.searchsorted(events, np.arange(len(cells)), side="right") - 1
    labels = np.array([None, *after_event], dtype=object)[latest + 1]
    return pd.Series(labels, index=cells.index, dtype="string")
