"""Storing and reading verdicts: every one is kept, the newest (last recorded) per target counts.

A target is a transaction (a row of the file, by row number; a transaction id is resolved to its row
when recorded) or a journal entry (by its number). Verdicts belong to the file, not to a job, so they
survive re-processing, and carry the file's source, so a source's verdicts up to any moment can be
read back in the order they were recorded.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)

from fintrace_pipeline.db import bulk
from fintrace_pipeline.db.schema import Timestamp, transactions, verdicts
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence import audit
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.records import DataFile
from fintrace_pipeline.verdicts import LABEL_VERDICTS, REVIEWED, UNREVIEWED, VERDICTS

# Above this many values, a lookup reads the file's column once instead of asking for each value.
_IN_LIST_LIMIT = 2_000
VIEW_COLUMNS = ("row_number", "je_number", "verdict", "comment", "reviewer", "recorded_at")
# What a row or an entry shows of the verdict that counts for it.
SHOWN_FIELDS = ("verdict", "comment", "reviewer", "recorded_at")


@dataclass(frozen=True)
class Target:
    row_number: int | None = None
    je_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row_number": self.row_number, "je_number": self.je_number}


@dataclass(frozen=True)
class Named:
    """A target as a caller names it: exactly one of the three."""

    row_number: int | None = None
    transaction_id: str | None = None
    je_number: str | None = None

    def describe(self) -> str:
        if self.row_number is not None:
            return f"row {self.row_number}"
        if self.transaction_id is not None:
            return f"transaction_id {self.transaction_id!r}"
        return f"journal entry {self.je_number!r}"


@dataclass(frozen=True)
class Unresolved:
    reason: str
    not_found: bool  # False: the name is ambiguous rather than unknown


@dataclass(frozen=True)
class Decision:
    target: Target
    verdict: str
    comment: str | None = None


def _present(connection: Connection, data_file_id: uuid.UUID, column: str, values: set) -> dict[Any, list[int]]:
    """Each of ``values`` found in the file's ``column`` -> the row numbers holding it."""
    t = transactions
    query = select(t.c[column], t.c.row_number).where(t.c.data_file_id == data_file_id, t.c[column].is_not(None))
    found: dict[Any, list[int]] = {}
    if len(values) > _IN_LIST_LIMIT:
        rows = (r for r in connection.execute(query) if r[0] in values)
    else:
        rows = connection.execute(query.where(t.c[column].in_(list(values)))) if values else []
    for value, row_number in rows:
        found.setdefault(value, []).append(row_number)
    return found


def resolve(connection: Connection, data_file_id: uuid.UUID, named: Sequence[Named]) -> list[Target | Unresolved]:
    """The target each name means in the file, or why it names none (or more than one transaction)."""
    rows = _present(connection, data_file_id, "row_number", {n.row_number for n in named if n.row_number is not None})
    ids = _present(
        connection, data_file_id, "transaction_id", {n.transaction_id for n in named if n.transaction_id is not None}
    )
    entries = _present(connection, data_file_id, "je_number", {n.je_number for n in named if n.je_number is not None})
    out: list[Target | Unresolved] = []
    for name in named:
        if name.row_number is not None:
            found = name.row_number in rows
            out.append(Target(row_number=name.row_number) if found else Unresolved(_missing(name), True))
        elif name.transaction_id is not None:
            holders = ids.get(name.transaction_id, [])
            if len(holders) == 1:
                out.append(Target(row_number=holders[0]))
            elif holders:
                reason = f"{name.describe()} is on {len(holders)} rows of the file; name the row_number"
                out.append(Unresolved(reason, False))
            else:
                out.append(Unresolved(_missing(name), True))
        else:
            found = name.je_number in entries
            out.append(Target(je_number=name.je_number) if found else Unresolved(_missing(name), True))
    return out


def _missing(name: Named) -> str:
    return f"the file has no {name.describe()}"


# -- recording ---------------------------------------------------------------------------------------


def _rows(data_file: DataFile, decisions: Iterable[Decision], reviewer: str, at: datetime) -> list[dict[str, Any]]:
    return [
        {
            "data_file_id": data_file.id,
            "source": data_file.source,
            **d.target.as_dict(),
            "verdict": d.verdict,
            "comment": d.comment,
            "reviewer": reviewer,
            "recorded_at": at,
        }
        for d in decisions
    ]


def record_reviewed(
    connection: Connection, data_file: DataFile, decisions: Sequence[Decision], reviewer: str
) -> list[dict[str, Any]]:
    """Store a reviewer's verdicts, each with an audit row (the target's verdict before -> after).

    Returns the stored verdicts as ``VIEW_COLUMNS``.
    """
    at = utcnow()
    newest = newest_of(connection, data_file.id, [d.target for d in decisions])
    rows = _rows(data_file, decisions, reviewer, at)
    connection.execute(insert(verdicts), rows)
    stored = [json_safe({k: row[k] for k in VIEW_COLUMNS}) for row in rows]
    entries = []
    for decision, view in zip(decisions, stored, strict=True):
        previous = newest.get(decision.target)
        entries.append(
            audit.AuditEntry(
                reviewer,
                audit.VERDICT_RECORD,
                "data_file",
                str(data_file.id),
                {**decision.target.as_dict(), **_summary(previous)} if previous else None,
                {**decision.target.as_dict(), **_summary(view)},
            )
        )
        newest[decision.target] = view  # a target named twice in one batch: the first is the second's before
    audit.record(connection, *entries, at=at)
    return stored


def _summary(view: dict[str, Any]) -> dict[str, Any]:
    return {k: view[k] for k in SHOWN_FIELDS}


def import_decisions(
    connection: Connection, data_file: DataFile, decisions: Sequence[Decision], reviewer: str, origin: str
) -> dict[str, int]:
    """Store many verdicts at once (an import): one audit row with their counts by verdict."""
    at = utcnow()
    frame = pd.DataFrame(
        _rows(data_file, decisions, reviewer, at), columns=[c.name for c in verdicts.c if c.name != "id"]
    )
    frame["row_number"] = frame["row_number"].astype("Int64")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"])
    bulk.insert_frame(connection, verdicts, frame)
    counts = dict(Counter(d.verdict for d in decisions))
    _audit_import(connection, data_file, reviewer, origin, counts, at)
    return counts


def _audit_import(
    connection: Connection, data_file: DataFile, reviewer: str, origin: str, counts: dict[str, int], at: datetime
) -> None:
    """An import's one audit row: where the verdicts came from and how many of each."""
    after = {"origin": origin, "verdicts": sum(counts.values()), **{v: counts.get(v, 0) for v in VERDICTS}}
    entry = audit.AuditEntry(reviewer, audit.VERDICTS_IMPORT, "data_file", str(data_file.id), None, after)
    audit.record(connection, entry, at=at)


def import_labels(connection: Connection, data_file: DataFile, reviewer: str) -> dict[str, int]:
    """Verdicts from the file's stored ``label`` column (1 confirmed, 0 cleared) for its labelled rows
    that have no verdict yet, so processing a file again never overrides a verdict recorded since.
    One INSERT ... SELECT: a labelled card month is a verdict on each of its rows."""
    t, v = transactions, verdicts
    at = utcnow()
    verdict = case(*((t.c.label == label, literal(name)) for label, name in LABEL_VERDICTS.items()))
    reviewed = select(v.c.id).where(v.c.data_file_id == data_file.id, v.c.row_number == t.c.row_number)
    labelled = select(
        t.c.data_file_id,
        literal(data_file.source),
        t.c.row_number,
        verdict,
        literal(reviewer),
        literal(at, Timestamp),
    ).where(t.c.data_file_id == data_file.id, t.c.label.in_(list(LABEL_VERDICTS)), ~exists(reviewed))
    columns = ["data_file_id", "source", "row_number", "verdict", "reviewer", "recorded_at"]
    connection.execute(insert(v).from_select(columns, labelled))
    counts = dict(
        connection.execute(
            select(v.c.verdict, func.count())
            .where(v.c.data_file_id == data_file.id, v.c.recorded_at == at, v.c.reviewer == reviewer)
            .group_by(v.c.verdict)
        ).all()
    )
    if counts:
        _audit_import(connection, data_file, reviewer, "label column", counts, at)
    return counts


# -- reading -----------------------------------------------------------------------------------------


_TARGET = (verdicts.c.data_file_id, verdicts.c.row_number, verdicts.c.je_number)


def newest_query(*conditions) -> Select:
    """The newest verdict of every target among the verdicts matching ``conditions``: the last one
    recorded (ids grow with every verdict stored, as recorded_at does)."""
    v = verdicts
    last = select(func.max(v.c.id)).where(*conditions).group_by(*_TARGET)
    return select(v).where(v.c.id.in_(last))


def _of_targets(data_file_id: uuid.UUID, targets: Iterable[Target]):
    """The condition selecting these targets' verdicts in the file, or None for no target."""
    v = verdicts
    rows = sorted({t.row_number for t in targets if t.row_number is not None})
    entries = sorted({t.je_number for t in targets if t.je_number is not None})
    which = [*([v.c.row_number.in_(rows)] if rows else []), *([v.c.je_number.in_(entries)] if entries else [])]
    return and_(v.c.data_file_id == data_file_id, or_(*which)) if which else None


def newest_of(connection: Connection, data_file_id: uuid.UUID, targets: Sequence[Target]) -> dict[Target, dict]:
    """The newest verdict (as ``VIEW_COLUMNS``) of each of these targets that has one."""
    condition = _of_targets(data_file_id, targets)
    if condition is None:
        return {}
    return {Target(r.row_number, r.je_number): _view(r) for r in connection.execute(newest_query(condition))}


def _view(row) -> dict[str, Any]:
    return json_safe({k: getattr(row, k) for k in VIEW_COLUMNS})


def verdict_counts(connection: Connection, data_file_id: uuid.UUID) -> dict[str, int]:
    """How many targets of the file have each verdict as their newest."""
    newest = newest_query(verdicts.c.data_file_id == data_file_id).subquery()
    rows = connection.execute(select(newest.c.verdict, func.count()).group_by(newest.c.verdict))
    counts = dict.fromkeys(VERDICTS, 0)
    counts.update({verdict: count for verdict, count in rows})
    return counts


def file_verdicts(
    connection: Connection, data_file_id: uuid.UUID, *, verdict: str | None, history: bool, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """(targets with a verdict, one page of their newest verdicts, newest first), each with the
    row's transaction_id and, on request, the target's earlier verdicts (newest first)."""
    newest = newest_query(verdicts.c.data_file_id == data_file_id).subquery("newest")
    where = [newest.c.verdict == verdict] if verdict else []
    total = connection.execute(select(func.count()).select_from(newest).where(*where)).scalar_one()
    page = connection.execute(
        select(newest).where(*where).order_by(newest.c.id.desc()).limit(limit).offset(offset)
    ).all()
    ids = _transaction_ids(connection, data_file_id, [r.row_number for r in page if r.row_number is not None])
    items = []
    for row in page:
        item = {**_view(row), "transaction_id": ids.get(row.row_number)}
        if history:
            item["history"] = []
        items.append(item)
    if history and page:
        _add_history(connection, data_file_id, page, items)
    return total, items


def _transaction_ids(connection: Connection, data_file_id: uuid.UUID, row_numbers: list[int]) -> dict[int, str]:
    if not row_numbers:
        return {}
    t = transactions
    query = select(t.c.row_number, t.c.transaction_id).where(
        t.c.data_file_id == data_file_id, t.c.row_number.in_(row_numbers)
    )
    return dict(connection.execute(query).all())


def _add_history(connection: Connection, data_file_id: uuid.UUID, page: list, items: list[dict]) -> None:
    """Each page item's earlier verdicts, newest first."""
    v = verdicts
    position = {Target(row.row_number, row.je_number): i for i, row in enumerate(page)}
    shown = {row.id for row in page}
    earlier = connection.execute(select(v).where(_of_targets(data_file_id, position)).order_by(v.c.id.desc()))
    for row in earlier:
        index = position.get(Target(row.row_number, row.je_number))
        if index is not None and row.id not in shown:
            items[index]["history"].append(_view(row))


def newest_for_rows(connection: Connection, data_file_id: uuid.UUID, row_numbers: list[int]) -> dict[int, dict]:
    """The verdict that counts for each of these rows: its own newest, else its entry's newest."""
    if not row_numbers:
        return {}
    t = transactions
    entry_of = dict(
        connection.execute(
            select(t.c.row_number, t.c.je_number).where(
                t.c.data_file_id == data_file_id, t.c.row_number.in_(row_numbers), t.c.je_number.is_not(None)
            )
        ).all()
    )
    targets = [Target(row_number=r) for r in row_numbers] + [Target(je_number=j) for j in set(entry_of.values())]
    newest = newest_of(connection, data_file_id, targets)
    out = {}
    for row_number in row_numbers:
        found = newest.get(Target(row_number=row_number))
        if found is None and row_number in entry_of:
            found = newest.get(Target(je_number=entry_of[row_number]))
        if found is not None:
            out[row_number] = _summary(found)
    return out


def newest_for_entries(connection: Connection, data_file_id: uuid.UUID, je_numbers: list[str]) -> dict[str, dict]:
    """Each of these entries' newest verdict, where it has one."""
    newest = newest_of(connection, data_file_id, [Target(je_number=j) for j in je_numbers])
    return {target.je_number: _summary(found) for target, found in newest.items()}


def _newest_per_target(data_file_id: uuid.UUID, key: str) -> Subquery:
    """The id of the newest verdict on each row (``key`` row_number) or on each entry (``key``
    je_number) of the file, as (target, id): one grouped read of the file's verdicts of that kind,
    joined to by the readers below instead of being asked again for every row they read."""
    v = verdicts
    other = v.c.je_number if key == "row_number" else v.c.row_number
    return (
        select(v.c[key].label("target"), func.max(v.c.id).label("id"))
        .where(v.c.data_file_id == data_file_id, other.is_(None))
        .group_by(v.c[key])
        .subquery(f"newest_by_{key}")
    )


def with_counting_verdict(data_file_id: uuid.UUID, rows: FromClause) -> tuple[FromClause, ColumnElement]:
    """``rows`` (with a ``row_number`` column, of this file) outer-joined to the verdict that counts
    for each row, and that verdict's column: the row's own newest, else its entry's newest (as
    ``newest_for_rows``), NULL for an unreviewed row. Joins, not correlated subqueries: a scores
    export reads every row of the file."""
    own, entry, line = (
        verdicts.alias("own_verdict"),
        verdicts.alias("entry_verdict"),
        transactions.alias("verdict_line"),
    )
    own_newest = _newest_per_target(data_file_id, "row_number")
    entry_newest = _newest_per_target(data_file_id, "je_number")
    joined = (
        rows.outerjoin(own_newest, own_newest.c.target == rows.c.row_number)
        .outerjoin(own, own.c.id == own_newest.c.id)
        .outerjoin(line, and_(line.c.data_file_id == data_file_id, line.c.row_number == rows.c.row_number))
        .outerjoin(entry_newest, entry_newest.c.target == line.c.je_number)
        .outerjoin(entry, entry.c.id == entry_newest.c.id)
    )
    return joined, func.coalesce(own.c.verdict, entry.c.verdict)


def with_entry_verdict(data_file_id: uuid.UUID, entries: FromClause) -> tuple[FromClause, ColumnElement]:
    """``entries`` (with a ``je_number`` column, of this file) outer-joined to each entry's newest
    verdict, and that verdict's column (NULL for an unreviewed entry)."""
    entry = verdicts.alias("entry_verdict")
    newest = _newest_per_target(data_file_id, "je_number")
    joined = entries.outerjoin(newest, newest.c.target == entries.c.je_number).outerjoin(
        entry, entry.c.id == newest.c.id
    )
    return joined, entry.c.verdict


def in_review_state(verdict: ColumnElement, state: str) -> ColumnElement:
    """The condition that the verdict that counts (``verdict``, NULL when none) is in ``state``
    (one of ``REVIEW_STATES``)."""
    if state == UNREVIEWED:
        return verdict.is_(None)
    if state == REVIEWED:
        return verdict.is_not(None)
    return verdict == state


def review_counts(connection: Connection, joined: FromClause, verdict: ColumnElement, *where) -> dict[str, int]:
    """Of the items of ``joined`` matching ``where``: how many there are (``queue``), how many have a
    verdict that counts, how many have none, and how many have each verdict."""
    rows = connection.execute(select(verdict, func.count()).select_from(joined).where(*where).group_by(verdict))
    by_verdict = dict.fromkeys(VERDICTS, 0)
    unreviewed = 0
    for name, count in rows:
        if name is None:
            unreviewed = count
        else:
            by_verdict[name] = count
    reviewed = sum(by_verdict.values())
    return {"queue": reviewed + unreviewed, REVIEWED: reviewed, UNREVIEWED: unreviewed, **by_verdict}


def source_verdicts(connection: Connection, source: str, until: datetime | None = None) -> pd.DataFrame:
    """Every verdict of the source's files recorded up to ``until`` (all when None), oldest first:
    data_file_id, row_number, je_number, verdict, reviewer, recorded_at. What a learner replays."""
    v = verdicts
    conditions = [v.c.source == source]
    if until is not None:
        conditions.append(v.c.recorded_at <= until)
    columns = ("data_file_id", "row_number", "je_number", "verdict", "reviewer", "recorded_at")
    result = connection.execute(select(*(v.c[c] for c in columns)).where(*conditions).order_by(v.c.recorded_at, v.c.id))
    frame = pd.DataFrame(result.all(), columns=list(columns))
    frame["row_number"] = frame["row_number"].astype("Int64")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"])
    return frame


def source_counts(connection: Connection) -> dict[str, dict[str, int]]:
    """Per source, how many targets have each verdict as their newest."""
    newest = newest_query().subquery()
    rows = connection.execute(
        select(newest.c.source, newest.c.verdict, func.count()).group_by(newest.c.source, newest.c.verdict)
    )
    out: dict[str, dict[str, int]] = {}
    for source, verdict, count in rows:
        out.setdefault(source, dict.fromkeys(VERDICTS, 0))[verdict] = count
    return out


EXPORT_COLUMNS = ("row_number", "transaction_id", "je_number", "verdict", "comment", "reviewer", "recorded_at")


def export_frame(connection: Connection, data_file_id: uuid.UUID, *, history: bool = False) -> pd.DataFrame:
    """The file's verdicts as a table, by target: the newest of each, or with ``history`` all of them
    (newest first within a target). Its columns can be imported again."""
    v, t = verdicts, transactions
    chosen = newest_query(v.c.data_file_id == data_file_id).subquery() if not history else v
    query = (
        select(
            chosen.c.row_number,
            t.c.transaction_id,
            *(chosen.c[c] for c in ("je_number", "verdict", "comment", "reviewer", "recorded_at")),
        )
        .select_from(chosen.outerjoin(t, (t.c.data_file_id == data_file_id) & (t.c.row_number == chosen.c.row_number)))
        .where(chosen.c.data_file_id == data_file_id)
        .order_by(
            chosen.c.row_number.is_(None),
            chosen.c.row_number,
            chosen.c.je_number,
            chosen.c.id.desc(),
        )
    )
    frame = pd.DataFrame(connection.execute(query).all(), columns=list(EXPORT_COLUMNS))
    frame["row_number"] = frame["row_number"].astype("Int64")
    return frame
