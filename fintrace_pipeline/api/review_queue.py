"""A file's review queue: what a reviewer works through, highest risk first, and how far they got.

Its items are the flagged journal entries where the file has entry numbers (the unit of review), else
its flagged transactions, as the flagged views list them, each with the verdict that counts for it.
The counts are of the whole queue, whatever page or review state is asked for, so a page shows
"312 of 1,204 reviewed" from the database rather than from what it has loaded.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection

from fintrace_pipeline.api import entry_queries, queries
from fintrace_pipeline.api.entry_queries import NO_ENTRY_NUMBERS

ENTRY, TRANSACTION = "entry", "transaction"


def review_queue(
    connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID, *, review: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """unit (entry or transaction), counts, total (of the review state asked for), note, one page of items."""
    note = entry_queries.entry_note(connection, data_file_id, job_id)
    page = {"limit": limit, "offset": offset, "review": review}
    if note == NO_ENTRY_NUMBERS:
        counts = queries.transaction_review_counts(connection, data_file_id, job_id)
        total, items = queries.flagged_transactions(connection, data_file_id, job_id, min_risk=None, rule=None, **page)
        return {"unit": TRANSACTION, "counts": counts, "total": total, "note": None, "items": items}
    counts = entry_queries.entry_review_counts(connection, data_file_id, job_id)
    total, items, _ = entry_queries.flagged_entries(connection, data_file_id, job_id, min_risk=None, rule=None, **page)
    return {"unit": ENTRY, "counts": counts, "total": total, "note": note, "items": items}
