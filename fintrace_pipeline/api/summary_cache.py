"""Serialised processing summaries kept per job while nothing about the job has changed.

A summary takes several queries to assemble, yet dashboards fetch the same finished job again and
again. Each entry carries a freshness token (job status and update times, tracker and file update
times, count and newest update of the result rows) that one indexed query re-reads per request;
any write to the job's rows changes it, and the summary is rebuilt.
"""

from __future__ import annotations

import threading
import uuid

from fintrace_pipeline.api.lru import LruCache

MAX_ENTRIES = 512


class SummaryCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: LruCache[uuid.UUID, tuple[tuple, bytes]] = LruCache(max_entries)
        self._lock = threading.Lock()

    def get(self, job_id: uuid.UUID, token: tuple) -> bytes | None:
        with self._lock:
            entry = self._entries.get(job_id)
        if entry is None or entry[0] != token:
            return None
        return entry[1]

    def put(self, job_id: uuid.UUID, token: tuple, body: bytes) -> None:
        with self._lock:
            self._entries.put(job_id, (token, body))

    def __len__(self) -> int:
        return len(self._entries)
