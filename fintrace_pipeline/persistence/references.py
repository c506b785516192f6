"""A source's reference lists in the database: every uploaded version kept, the newest one read."""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from fintrace_pipeline.analytics.references.lists import ENTRY_FIELDS, NORMALIZED, ReferenceList, ReferenceLists
from fintrace_pipeline.db.schema import REFERENCE_KINDS, reference_entries, reference_lists
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence import audit
from fintrace_pipeline.persistence.clock import utcnow

# Entry fields -> their columns in reference_entries (the list's own id is ``external_id``).
STORED = {"id": "external_id", **{f: f for f in ENTRY_FIELDS if f != "id"}}
LIST_COLUMNS = ("id", "source", "kind", "version", "file_name", "sha256", "uploaded_at", "uploaded_by", "rows")


def store_reference_list(
    engine: Engine,
    *,
    source: str,
    kind: str,
    file_name: str,
    sha256: str,
    entries: pd.DataFrame,
    column_mapping: dict[str, str],
    rows_rejected: int,
    notes: dict[str, Any],
    uploaded_by: str | None = None,
) -> dict[str, Any]:
    """Store ``entries`` (normalised, with ``row_number``) as the next version of the source's list."""
    rows = [
        {
            "row_number": int(number),
            **{STORED[f]: _value(entries[f].iloc[i]) for f in ENTRY_FIELDS},
            **{column: _value(entries[column].iloc[i]) for column in NORMALIZED.values()},
        }
        for i, number in enumerate(entries["row_number"].tolist())
    ]
    for attempt in range(2):  # two uploads of one list at the same moment: the loser takes the next number
        try:
            with engine.begin() as connection:
                version = (
                    1
                    + connection.execute(
                        select(func.coalesce(func.max(reference_lists.c.version), 0)).where(
                            reference_lists.c.source == source, reference_lists.c.kind == kind
                        )
                    ).scalar_one()
                )
                list_id = uuid.uuid4()
                stored = {
                    "id": list_id,
                    "source": source,
                    "kind": kind,
                    "version": version,
                    "file_name": file_name,
                    "sha256": sha256,
                    "uploaded_at": utcnow(),
                    "uploaded_by": uploaded_by,
                    "rows": len(rows),
                    "rows_rejected": rows_rejected,
                    "column_mapping": column_mapping,
                    "notes": json_safe(notes),
                }
                connection.execute(insert(reference_lists), [stored])
                if rows:
                    connection.execute(insert(reference_entries), [{**r, "reference_list_id": list_id} for r in rows])
                audit.record(
                    connection,
                    audit.AuditEntry(
                        uploaded_by or "cli",
                        audit.REFERENCE_ADD,
                        "reference_list",
                        str(list_id),
                        after={k: stored[k] for k in ("source", "kind", "version", "file_name", "sha256", "rows")},
                    ),
                )
                return json_safe({k: stored[k] for k in (*LIST_COLUMNS, "rows_rejected", "column_mapping")})
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def list_reference_lists(connection: Connection, source: str | None = None) -> list[dict[str, Any]]:
    """Every version of every list (of ``source``), by source, kind and newest version first."""
    r = reference_lists
    query = select(*(r.c[c] for c in (*LIST_COLUMNS, "rows_rejected", "column_mapping")))
    if source is not None:
        query = query.where(r.c.source == source)
    query = query.order_by(r.c.source, r.c.kind, r.c.version.desc())
    return [json_safe(dict(row._mapping)) for row in connection.execute(query)]


def newest_reference_lists(connection: Connection, source: str) -> ReferenceLists:
    """The newest version of each of the source's lists with its entries."""
    found: dict[str, ReferenceList] = {}
    for kind in REFERENCE_KINDS:
        head = connection.execute(
            select(reference_lists.c.id, reference_lists.c.version, reference_lists.c.file_name)
            .where(reference_lists.c.source == source, reference_lists.c.kind == kind)
            .order_by(reference_lists.c.version.desc())
            .limit(1)
        ).first()
        if head is None:
            continue
        columns = ["row_number", *STORED.values(), *NORMALIZED.values()]
        rows = connection.execute(
            select(*(reference_entries.c[c] for c in columns))
            .where(reference_entries.c.reference_list_id == head.id)
            .order_by(reference_entries.c.row_number)
        ).all()
        entries = pd.DataFrame(rows, columns=columns).rename(columns={"external_id": "id"})
        entries = entries.astype({c: "string" for c in entries.columns if c not in ("row_number", "added_date")})
        entries["added_date"] = pd.to_datetime(entries["added_date"])
        found[kind] = ReferenceList(kind, head.version, head.file_name, entries)
    return ReferenceLists(source, found.get("vendor_master"), found.get("employees"))


def _value(value: Any) -> Any:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value
