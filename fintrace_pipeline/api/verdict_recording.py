"""Recording the verdicts of one request: all of them or none.

Every item's file and target are looked up first; an unknown file, row or entry answers 404 and an
ambiguous transaction_id 400, each naming its item, and nothing is stored. Then all verdicts are
stored in one transaction with their audit rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine

from fintrace_pipeline.api.errors import BadRequest, NotFound
from fintrace_pipeline.api.verdict_requests import RequestedVerdict
from fintrace_pipeline.persistence import verdicts
from fintrace_pipeline.persistence.files import get_data_file


def record_requested(engine: Engine, requested: list[RequestedVerdict], reviewer: str) -> list[dict[str, Any]]:
    """The stored verdicts, in the order requested, each with its file_id."""
    by_file: dict[uuid.UUID, list[int]] = defaultdict(list)
    for index, item in enumerate(requested):
        by_file[item.file_id].append(index)
    stored: list[dict[str, Any] | None] = [None] * len(requested)
    with engine.begin() as connection:
        for file_id, indexes in by_file.items():
            data_file = get_data_file(connection, file_id)
            if data_file is None:
                raise NotFound(f"{requested[indexes[0]].label}no such data file {file_id}")
            resolved = verdicts.resolve(connection, file_id, [requested[i].target for i in indexes])
            decisions = []
            for index, target in zip(indexes, resolved, strict=True):
                if isinstance(target, verdicts.Unresolved):
                    refusal = NotFound if target.not_found else BadRequest
                    raise refusal(f"{requested[index].label}{target.reason}")
                decisions.append(verdicts.Decision(target, requested[index].verdict, requested[index].comment))
            views = verdicts.record_reviewed(connection, data_file, decisions, reviewer)
            for index, view in zip(indexes, views, strict=True):
                stored[index] = {"file_id": str(file_id), **view}
    return stored
