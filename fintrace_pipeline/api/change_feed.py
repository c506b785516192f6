"""Answers of the polled endpoints kept in memory and evicted by PostgreSQL change notifications.

Triggers (migration 0002) send ``'<data_file_id> <job_id>'`` (or ``'<data_file_id>'``) on channel
``fintrace_changes`` whenever a row an answer is built from changes; one LISTEN connection per app
receives them at commit and evicts the affected entries, so a cached answer is served without any
query until something it depends on changes.

Never stale: entries are served only while the listener is connected; when it drops, the cache is
emptied and requests use the database until it is listening again. An answer read from the database
is kept only if no notification arrived while it was being read (``ticket``/``store``), so a change
racing with the read cannot leave an old answer behind.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg

from fintrace_pipeline.api.driver_pool import CONNECT_TIMEOUT_S
from fintrace_pipeline.api.lru import LruCache

CHANNEL = "fintrace_changes"
MAX_ENTRIES = 4096
RECONNECT_DELAY_S = 1.0
# (kind, id): "progress" and "job" are keyed by job id, "file" by data file id (its newest job's summary).
Key = tuple[str, uuid.UUID]

log = logging.getLogger(__name__)


class ChangeFeed:
    def __init__(self, dsn: str, max_entries: int = MAX_ENTRIES):
        self.dsn = dsn
        # key -> (data_file_id the answer belongs to, or None, and the answer's body)
        self._entries: LruCache[Key, tuple[uuid.UUID | None, bytes]] = LruCache(max_entries)
        self._sequence = 0  # notifications received, and listener (re)connections
        self._connection: asyncpg.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        # key -> events of the streams waiting for its next change (see ``changed``)
        self._waiters: dict[Key, set[asyncio.Event]] = {}

    @property
    def listening(self) -> bool:
        """Connected and LISTENing, on the event loop of the caller (requests run on one loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        on_this_loop = loop is None or self._loop is loop
        return self._connection is not None and not self._connection.is_closed() and on_this_loop

    @property
    def backend_pid(self) -> int | None:
        return self._connection.get_server_pid() if self.listening else None

    def ensure_started(self) -> None:
        """Start (or restart, on a new event loop) the listener in the background; never waits."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._forget()
            self._loop = loop
            self._task = loop.create_task(self._listen_forever())

    def get(self, key: Key) -> bytes | None:
        if not self.listening:
            return None
        entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def ticket(self) -> int | None:
        """Taken before reading from the database; None when nothing read now may be kept."""
        return self._sequence if self.listening else None

    def store(self, ticket: int | None, key: Key, data_file_id: uuid.UUID | None, body: bytes) -> None:
        if ticket is None or ticket != self._sequence or not self.listening:
            return
        self._entries.put(key, (data_file_id, body))

    @contextmanager
    def watching(self, key: Key) -> Iterator[asyncio.Event]:
        """An event set by the next notification that touches ``key``, or when the listener drops
        (a change may then go unseen, so the watcher reads again). Entered before reading, so a change
        that lands while the watcher reads still wakes it."""
        event = asyncio.Event()
        self._waiters.setdefault(key, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiters.get(key)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[key]

    def _wake(self, key: Key) -> None:
        for event in self._waiters.get(key, ()):
            event.set()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Key) -> bool:
        return key in self._entries

    # -- notifications --------------------------------------------------------------------------

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self._sequence += 1
        try:
            ids = [uuid.UUID(part) for part in payload.split()]
        except ValueError:
            self._entries.clear()  # not ours to interpret: drop everything rather than guess
            return
        if not ids:
            return
        data_file_id = ids[0]
        self._entries.pop(("file", data_file_id))
        if len(ids) > 1:
            self._entries.pop(("progress", ids[1]))
            self._entries.pop(("job", ids[1]))
            self._wake(("progress", ids[1]))
        else:
            # The file's own row changed: every summary of it shows that row.
            for key, (file_id, _) in self._entries.items():
                if file_id == data_file_id:
                    self._entries.pop(key)

    def _forget(self) -> None:
        self._entries.clear()
        self._sequence += 1
        for waiting in self._waiters.values():
            for event in waiting:
                event.set()
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()

    async def _listen_forever(self) -> None:
        while True:
            try:
                connection = await asyncpg.connect(self.dsn, timeout=CONNECT_TIMEOUT_S)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notification)
                self._entries.clear()
                self._sequence += 1
                self._connection = connection
                await lost.wait()
            except asyncio.CancelledError:
                self._forget()
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: serve from the database, retry later
                log.debug("change feed not listening: %s", exc)
            self._forget()
            await asyncio.sleep(RECONNECT_DELAY_S)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._forget()
