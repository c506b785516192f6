"""The sources files belong to, as a reader sees them: files, rows, the latest file, verdicts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from fintrace_pipeline.db.schema import data_files
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence.verdicts import source_counts
from fintrace_pipeline.verdicts import VERDICTS


def list_sources(connection: Connection) -> list[dict[str, Any]]:
    """Every source that has a file, by name: its file and row counts, newest file and verdict counts
    (targets whose newest verdict is each verdict)."""
    f = data_files
    totals = connection.execute(
        select(f.c.source, func.count(), func.coalesce(func.sum(f.c.rows_loaded), 0))
        .group_by(f.c.source)
        .order_by(f.c.source)
    ).all()
    newest_first = (
        func.row_number().over(partition_by=f.c.source, order_by=(f.c.created_at.desc(), f.c.id)).label("rank")
    )
    ranked = select(f.c.source, f.c.id, f.c.file_name, f.c.created_at, newest_first).subquery()
    latest = {
        row.source: {"data_file_id": row.id, "file_name": row.file_name, "created_at": row.created_at}
        for row in connection.execute(select(ranked).where(ranked.c.rank == 1))
    }
    verdicts = source_counts(connection)
    sources = []
    for source, files, rows in totals:
        counts = verdicts.get(source, dict.fromkeys(VERDICTS, 0))
        sources.append(
            {
                "source": source,
                "files": files,
                "rows": int(rows),
                "latest_file": latest.get(source),
                "verdicts": {**counts, "total": sum(counts.values())},
            }
        )
    return json_safe(sources)
