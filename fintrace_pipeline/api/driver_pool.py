"""A small asyncpg pool for the PostgreSQL hot paths (progress polls, summary freshness checks).

Checking a connection out of SQLAlchemy's async pool with its pre-ping costs several times the
indexed lookup it serves; asyncpg's own pool hands out a connection for a fraction of that. It
keeps the pre-ping's guarantee differently: a connection whose server side went away is replaced
when it is next acquired, and a statement that still meets a dead connection is retried once on a
fresh one, so killed backends or a restarted server cost no failed request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

T = TypeVar("T")
CONNECT_TIMEOUT_S = 5
MAX_CONNECTIONS = 2  # more backends than cores only compete with the API process for CPU
_DISCONNECTS = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    # What a connection whose backend was terminated while idle may raise on its next statement.
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
)


def is_disconnect(exc: BaseException) -> bool:
    return isinstance(exc, _DISCONNECTS)


def asyncpg_dsn(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)


async def _no_reset(_connection: asyncpg.Connection) -> None:
    # Only read-only statements in autocommit run here: no session state to reset on release.
    return None


class DriverPool:
    def __init__(self, url: str, server_settings: dict[str, str]):
        self.dsn = asyncpg_dsn(url)
        self.server_settings = server_settings
        self._pool: asyncpg.Pool | None = None
        self._lock: asyncio.Lock | None = None

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self._pool is None:
                # Not kept when creation fails: the next request tries again (the server may be back).
                self._pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=1,
                    max_size=MAX_CONNECTIONS,
                    reset=_no_reset,
                    timeout=CONNECT_TIMEOUT_S,
                    server_settings=self.server_settings,
                )
        return self._pool

    async def run(self, query: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await query(connection, *args)``; after a disconnect, retried on another connection
        (every pooled one may have died with the server), the dead one closed so the pool replaces it."""
        pool = await self._get_pool()
        attempts = MAX_CONNECTIONS + 1
        for attempt in range(1, attempts + 1):
            try:
                async with pool.acquire(timeout=CONNECT_TIMEOUT_S * 2) as connection:
                    try:
                        return await query(connection, *args)
                    except Exception as exc:
                        if is_disconnect(exc):
                            connection.terminate()
                        raise
            except Exception as exc:
                if attempt == attempts or not is_disconnect(exc):
                    raise
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
