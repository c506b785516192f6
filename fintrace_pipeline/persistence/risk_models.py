"""Stored versions of each source's risk model, and what a learner reads of a source's history.

A verdict is recorded at a wall-clock time, a transaction happens at a posting time; the two meet on
the source's data clock: a verdict recorded at time r is known from the latest posting date of the
source's files registered by r. A learner uses a verdict only for transactions after that point, so
a file's own verdicts never reach its own rows, and a file scored after another knows its verdicts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, func, insert, select

from fintrace_pipeline.db import bulk
from fintrace_pipeline.db.schema import data_files, history_files, risk_models, transactions, verdicts
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.ml.history import CONFIRMED
from fintrace_pipeline.persistence.snapshots import read_snapshot_rows

# Canonical column -> transactions column, of what the history features read.
HISTORY_COLUMNS = {
    "row_number": "row_number",
    "posting_date": "posting_date",
    "amount": "amount",
    "vendor": "vendor",
    "user": "user_name",
    "account": "account",
}
LABELS = {"confirmed": 1, "cleared": 0}  # follow_up is not a decision yet: such a row is not learned from


@dataclass(frozen=True)
class RiskModelVersion:
    id: uuid.UUID
    source: str
    version: int
    trained_at: datetime
    verdicts_until: datetime
    training_rows: int
    positives: int
    average_precision: float | None
    precision_at_k: float | None
    metrics: dict[str, Any] | None
    feature_importance: dict[str, float] | None
    features: list[str]
    model_path: str

    @classmethod
    def from_row(cls, row: Any) -> RiskModelVersion:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    @property
    def label(self) -> str:
        """How results name the version they were scored with (the file names the source)."""
        return f"history-v{self.version}"


def newest_model(connection: Connection, source: str) -> RiskModelVersion | None:
    query = select(risk_models).where(risk_models.c.source == source).order_by(risk_models.c.version.desc()).limit(1)
    row = connection.execute(query).first()
    return RiskModelVersion.from_row(row) if row else None


def model_versions(connection: Connection, source: str) -> list[RiskModelVersion]:
    query = select(risk_models).where(risk_models.c.source == source).order_by(risk_models.c.version)
    return [RiskModelVersion.from_row(r) for r in connection.execute(query)]


def store_model(connection: Connection, **values: Any) -> RiskModelVersion:
    """A new version of ``values['source']``'s model, numbered after its newest."""
    source = values["source"]
    newest = connection.execute(
        select(func.max(risk_models.c.version)).where(risk_models.c.source == source)
    ).scalar_one()
    row = {"id": uuid.uuid4(), **values, "version": (newest or 0) + 1}
    for key in ("metrics", "feature_importance", "features"):
        row[key] = json_safe(row.get(key))
    connection.execute(insert(risk_models).values(**row))
    return RiskModelVersion(**{f.name: row.get(f.name) for f in fields(RiskModelVersion)})


def newest_verdict_at(connection: Connection, source: str, until: datetime | None = None) -> datetime | None:
    """When the source's newest verdict (recorded up to ``until``) was recorded."""
    query = select(func.max(verdicts.c.recorded_at)).where(verdicts.c.source == source)
    if until is not None:
        query = query.where(verdicts.c.recorded_at <= until)
    return connection.execute(query).scalar_one()


def newest_verdicts_by_source(connection: Connection) -> dict[str, datetime]:
    rows = connection.execute(select(verdicts.c.source, func.max(verdicts.c.recorded_at)).group_by(verdicts.c.source))
    return dict(rows.all())


# -- the source's history, for a learner ---------------------------------------------------------------


def source_files(connection: Connection, source: str) -> pd.DataFrame:
    """The source's files in the order registered: id, created_at, rows loaded, and the earliest and
    latest posting dates of each file (NaT for one not ingested). Read from the source's history where the
    file has its share there, so only files without one are scanned."""
    h = history_files
    query = (
        select(data_files.c.id, data_files.c.created_at, data_files.c.rows_loaded, h.c.period_start, h.c.period_end)
        .select_from(data_files.outerjoin(h, h.c.data_file_id == data_files.c.id))
        .where(data_files.c.source == source)
        .order_by(data_files.c.created_at, data_files.c.id)
    )
    names = ["data_file_id", "created_at", "rows", "earliest", "latest"]
    frame = pd.DataFrame(connection.execute(query).all(), columns=names)
    unknown = frame.loc[frame["latest"].isna(), "data_file_id"].tolist()
    if unknown:
        t = transactions
        spans = connection.execute(
            select(t.c.data_file_id, func.min(t.c.posting_date), func.max(t.c.posting_date))
            .where(t.c.data_file_id.in_(unknown))
            .group_by(t.c.data_file_id)
        ).all()
        by_file = {file_id: (earliest, latest) for file_id, earliest, latest in spans}
        for index in frame.index[frame["latest"].isna()]:
            found = by_file.get(frame.at[index, "data_file_id"])
            if found:
                frame.loc[index, ["earliest", "latest"]] = found
    for column in ("created_at", "earliest", "latest"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def files_within(files: pd.DataFrame, since: datetime, until: datetime) -> pd.DataFrame:
    """The files (of ``source_files``) with postings between ``since`` and ``until``."""
    overlapping = (files["earliest"] <= pd.Timestamp(until)) & (files["latest"] >= pd.Timestamp(since))
    return files[overlapping]


def source_transactions(
    connection: Connection,
    files: pd.DataFrame,
    since: datetime | None = None,
    until: datetime | None = None,
    snapshots: Path | None = None,
) -> pd.DataFrame:
    """The rows of these files (of ``source_files``) that the history features read (canonical
    names), with data_file_id, posting dates in [since, until] when given. ``snapshots``: the folder of
    the files' Parquet snapshots, read where one matches the file (many times faster than the database)."""
    parts, from_database = [], []
    for file_id, rows in zip(files["data_file_id"], files["rows"], strict=True):
        snapshot = None
        if snapshots is not None and pd.notna(rows):
            snapshot = read_snapshot_rows(snapshots, file_id, int(rows), list(HISTORY_COLUMNS), since, until)
        if snapshot is None:
            from_database.append(file_id)
        else:
            parts.append(snapshot.assign(data_file_id=file_id.hex))
    if from_database or not parts:
        parts.append(_database_rows(connection, from_database, since, until))
    frame = pd.concat(parts, ignore_index=True)
    frame["data_file_id"] = _file_keys(frame["data_file_id"])
    frame["row_number"] = pd.to_numeric(frame["row_number"]).astype("int64")
    frame["posting_date"] = pd.to_datetime(frame["posting_date"], format="ISO8601").astype("datetime64[ns]")
    frame["amount"] = pd.to_numeric(frame["amount"]).astype("float64")
    for column in ("vendor", "user", "account"):
        frame[column] = frame[column].astype("string")
    # One order however the rows were read: by file, then row.
    return frame[["data_file_id", *HISTORY_COLUMNS]].sort_values(["data_file_id", "row_number"], ignore_index=True)


def _database_rows(
    connection: Connection, file_ids: list[uuid.UUID], since: datetime | None, until: datetime | None
) -> pd.DataFrame:
    t = transactions
    where = [t.c.data_file_id.in_(file_ids)]
    if since is not None:
        where.append(t.c.posting_date >= since)
    if until is not None:
        where.append(t.c.posting_date <= until)
    columns = ["data_file_id", *HISTORY_COLUMNS.values()]
    # In key order, which the database reads without sorting.
    frame = bulk.read_frame(connection, t, and_(*where), columns, order_by="data_file_id")
    return frame.rename(columns={v: k for k, v in HISTORY_COLUMNS.items()})


def known_verdicts(
    connection: Connection,
    source: str,
    files: pd.DataFrame,
    history: pd.DataFrame,
    until: datetime | None,
    *,
    confirmed_targets_only: bool = False,
) -> pd.DataFrame:
    """The source's verdicts recorded up to ``until`` on rows of ``history`` (an entry's verdict on
    each of its lines), in the order recorded: position (in ``history``), verdict, recorded_at and
    known_at (the data clock when it was recorded; see the module's note).

    ``confirmed_targets_only``: only the verdicts on rows or entries confirmed at some time, all that
    history features read (a target never confirmed never counts), a small share of a reviewed source."""
    v, t = verdicts, transactions
    file_ids = [uuid.UUID(hex=key) for key in pd.unique(history["data_file_id"])]
    recorded = [v.c.recorded_at <= until] if until is not None else []
    lines = (t.c.data_file_id == v.c.data_file_id) & (t.c.je_number == v.c.je_number)
    if confirmed_targets_only:
        # From the few targets ever confirmed (an index of their own) to every verdict on each.
        ever = verdicts.alias("ever")
        confirmed = [ever.c.source == source, ever.c.verdict == CONFIRMED, ever.c.data_file_id.in_(file_ids)]
        rows = select(ever.c.data_file_id, ever.c.row_number).where(*confirmed, ever.c.row_number.is_not(None))
        rows = rows.distinct().subquery()
        entries = select(ever.c.data_file_id, ever.c.je_number).where(*confirmed, ever.c.je_number.is_not(None))
        entries = entries.distinct().subquery()
        on_rows = rows.join(v, (v.c.data_file_id == rows.c.data_file_id) & (v.c.row_number == rows.c.row_number))
        on_entries = entries.join(
            v, (v.c.data_file_id == entries.c.data_file_id) & (v.c.je_number == entries.c.je_number)
        ).join(t, lines)
        where = recorded
    else:
        on_rows, on_entries = v, v.join(t, lines)
        where = [v.c.source == source, v.c.data_file_id.in_(file_ids), *recorded]
    own = (
        select(v.c.id, v.c.data_file_id, v.c.row_number, v.c.verdict, v.c.recorded_at)
        .select_from(on_rows)
        .where(*where, v.c.row_number.is_not(None))
    )
    entry = (
        select(v.c.id, v.c.data_file_id, t.c.row_number, v.c.verdict, v.c.recorded_at)
        .select_from(on_entries)
        .where(*where, v.c.je_number.is_not(None))
    )
    frame = pd.concat([bulk.read_raw(connection, own), bulk.read_raw(connection, entry)], ignore_index=True)
    frame["id"] = pd.to_numeric(frame["id"]).astype("int64")
    frame["row_number"] = pd.to_numeric(frame["row_number"]).astype("int64")
    frame = frame.sort_values("id", kind="stable")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], format="ISO8601")
    position = positions_of(history, _file_keys(frame["data_file_id"]), frame["row_number"])
    frame["position"] = position
    frame = frame[frame["position"] >= 0]
    frame["known_at"] = data_clock(files, frame["recorded_at"])
    return frame[frame["known_at"].notna()].reset_index(drop=True)[["position", "verdict", "recorded_at", "known_at"]]


def _file_keys(values: pd.Series) -> pd.Series:
    """File ids as one comparable form (UUID objects or text, as each driver reads them): hex text."""
    codes, uniques = pd.factorize(values)  # a handful of files: convert each id once
    as_hex = [(v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))).hex for v in uniques]
    return pd.Series(pd.Categorical.from_codes(codes, categories=as_hex), index=values.index).astype("string")


def positions_of(history: pd.DataFrame, file_ids, row_numbers) -> np.ndarray:
    """Positions in ``history`` of these (file, row number) pairs; -1 where absent."""
    codes, files = pd.factorize(history["data_file_id"])
    code_of = {key: code for code, key in enumerate(files)}
    wanted_codes = _file_keys(pd.Series(file_ids)).map(code_of).fillna(-1).to_numpy(dtype=np.int64)
    # One integer per (file, row): row numbers stay below 2**32.
    keys = pd.Index((codes.astype(np.int64) << 32) | history["row_number"].to_numpy(dtype=np.int64))
    wanted = (wanted_codes << 32) | np.asarray(row_numbers, dtype=np.int64)
    return np.where(wanted_codes >= 0, keys.get_indexer(wanted), -1)


def data_clock(files: pd.DataFrame, at: pd.Series) -> pd.Series:
    """For each wall-clock time, the latest posting date among the files registered by then."""
    ingested = files[files["latest"].notna()]
    registered = ingested["created_at"].to_numpy("datetime64[ns]")
    clock = ingested["latest"].cummax().to_numpy("datetime64[ns]")
    index = np.searchsorted(registered, at.to_numpy("datetime64[ns]"), side="right") - 1
    out = np.where(index >= 0, clock[np.maximum(index, 0)], np.datetime64("NaT"))
    return pd.Series(out, index=at.index, dtype="datetime64[ns]")
