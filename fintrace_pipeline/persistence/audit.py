"""The audit log: who did what, when, from which state to which. Rows are only ever added.

Each change writes its row inside the transaction that makes the change, so the log holds a row
exactly for every change that happened. The database refuses updates and deletes of the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from fintrace_pipeline.db.schema import audit_log
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence.clock import utcnow

# The actions recorded; the API filters on them.
VERDICT_RECORD = "verdict.record"
VERDICTS_IMPORT = "verdicts.import"
FILE_UPLOAD = "file.upload"
FILE_DELETE = "file.delete"
USER_ADD = "user.add"
USER_REVOKE = "user.revoke"
REFERENCE_ADD = "reference.add"
ACTIONS = (VERDICT_RECORD, VERDICTS_IMPORT, FILE_UPLOAD, FILE_DELETE, USER_ADD, USER_REVOKE, REFERENCE_ADD)


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    action: str
    target_type: str
    target_id: str | None
    before: Any = None
    after: Any = None

    def row(self, at: datetime) -> dict[str, Any]:
        return {
            "at": at,
            "actor": self.actor,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "before": json_safe(self.before),
            "after": json_safe(self.after),
        }


def record(connection: Connection, *entries: AuditEntry, at: datetime | None = None) -> None:
    """Add ``entries`` in the caller's transaction (one statement for all of them)."""
    if entries:
        at = at or utcnow()
        connection.execute(insert(audit_log), [entry.row(at) for entry in entries])


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    since: datetime | None = None


def entries(connection: Connection, where: AuditFilter, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """(matching rows, one page of them newest first) as JSON-ready dicts."""
    conditions = []
    if where.action:
        conditions.append(audit_log.c.action == where.action)
    if where.actor:
        conditions.append(audit_log.c.actor == where.actor)
    if where.since:
        conditions.append(audit_log.c.at >= where.since)
    total = connection.execute(select(func.count()).select_from(audit_log).where(*conditions)).scalar_one()
    rows = connection.execute(
        select(audit_log)
        .where(*conditions)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, [json_safe(dict(row._mapping)) for row in rows]
