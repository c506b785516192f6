"""Importing verdicts from a CSV: one verdict per line, each line imported or refused with its reason.

The CSV names each line's target in a ``row_number``, ``transaction_id`` or ``je_number`` column (the
first of them that is filled in on the line, so ``fintrace verdicts export`` reads back in) and gives
a ``verdict`` (a verdict's name, or 1 / 0 for confirmed / cleared) and optionally a ``comment``.
Lines that are refused do not stop the others.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from fintrace_pipeline.persistence import verdicts
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.verdicts import InvalidVerdict, clean_comment, parse_verdict

TARGET_COLUMNS = ("row_number", "transaction_id", "je_number")
FIRST_DATA_LINE = 2  # line 1 is the header


@dataclass
class ImportReport:
    imported: Counter = field(default_factory=Counter)  # verdict -> lines imported
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def imported_total(self) -> int:
        return sum(self.imported.values())


def read_verdict_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The CSV's cells as text (header names lower-cased and trimmed) and its target columns."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    targets = [c for c in TARGET_COLUMNS if c in frame.columns]
    if not targets or "verdict" not in frame.columns:
        raise ValueError(
            f"{path.name}: needs a verdict column and one of {', '.join(TARGET_COLUMNS)}; "
            f"found {', '.join(frame.columns) or 'no columns'}"
        )
    return frame, targets


def _named(cells: dict[str, str]) -> verdicts.Named:
    """The target of a line: its first filled-in target column."""
    column, value = next(((c, v.strip()) for c, v in cells.items() if v.strip()), (None, ""))
    if column is None:
        raise InvalidVerdict(f"no {' / '.join(cells)} given")
    if column == "row_number":
        try:
            number = int(float(value)) if value.endswith(".0") else int(value)
        except ValueError:
            raise InvalidVerdict(f"row_number {value[:40]!r} is not a whole number") from None
        if number < 1:
            raise InvalidVerdict(f"row_number {number} is below 1")
        return verdicts.Named(row_number=number)
    return verdicts.Named(**{column: value})


def import_csv(engine: Engine, path: Path, data_file_id: uuid.UUID, reviewer: str) -> ImportReport:
    """Import every line of the CSV it can; the report says how many and why the others were refused."""
    frame, target_columns = read_verdict_csv(path)
    comments = frame["comment"] if "comment" in frame.columns else pd.Series([""] * len(frame))
    targets = frame[target_columns].to_dict("records")
    report = ImportReport()
    parsed: list[tuple[int, verdicts.Named, str, str | None]] = []
    for offset, (cells, verdict_text, comment_text) in enumerate(zip(targets, frame["verdict"], comments, strict=True)):
        line = offset + FIRST_DATA_LINE
        try:
            named = _named(cells)
            parsed.append((line, named, parse_verdict(verdict_text), clean_comment(comment_text)))
        except InvalidVerdict as exc:
            report.refused.append((line, str(exc)))
    with engine.begin() as connection:
        data_file = get_data_file(connection, data_file_id)
        if data_file is None:
            raise ValueError(f"no data file {data_file_id}")
        resolved = verdicts.resolve(connection, data_file_id, [named for _, named, _, _ in parsed])
        decisions = []
        for (line, _, verdict, comment), target in zip(parsed, resolved, strict=True):
            if isinstance(target, verdicts.Unresolved):
                report.refused.append((line, target.reason))
            else:
                decisions.append(verdicts.Decision(target, verdict, comment))
        if decisions:
            report.imported.update(verdicts.import_decisions(connection, data_file, decisions, reviewer, path.name))
    report.refused.sort()
    return report
