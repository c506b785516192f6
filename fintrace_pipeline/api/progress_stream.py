"""A job's progress as Server-Sent Events: one event per change, the last one its terminal state.

On PostgreSQL the stream wakes on the change notifications the API already listens to; on SQLite,
or while the listener is down, it looks again every ``POLL_S``. Each event's data is the same
``progress`` object ``GET /api/processing-progress/`` answers with.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import nullcontext

from fintrace_pipeline.api.reader import Reader
from fintrace_pipeline.status import TERMINAL_JOB_STATES

POLL_S = 0.5
# Longest wait for a notification before reading anyway: what a lost notification could cost.
NOTIFIED_WAIT_S = 10.0
PING_S = 15  # a comment line that keeps proxies from closing a quiet stream
EVENT = "progress"


async def progress_events(reader: Reader, job_id: uuid.UUID, *, poll_s: float = POLL_S) -> AsyncIterator[dict]:
    """``{"event": "progress", "data": <progress JSON>}`` whenever the job's progress changes, until it ends."""
    key = ("progress", job_id)
    last: bytes | None = None
    while True:
        feed = reader.change_feed
        if feed is not None:
            feed.ensure_started()
        notified = feed is not None and feed.listening
        with feed.watching(key) if notified else nullcontext() as changed:
            body = await reader.progress(job_id)
            if body != last:
                last = body
                progress = json.loads(body)["progress"]
                yield {"event": EVENT, "data": json.dumps(progress, separators=(",", ":"))}
                if progress.get("status") in TERMINAL_JOB_STATES:
                    return
            if changed is None:
                await asyncio.sleep(poll_s)
            else:
                try:
                    await asyncio.wait_for(changed.wait(), NOTIFIED_WAIT_S)
                except TimeoutError:
                    pass
