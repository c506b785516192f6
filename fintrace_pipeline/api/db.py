"""How the API reaches the results database: an async engine (asyncpg / aiosqlite) for reads.

Reads run the same synchronous view functions the pipeline uses, through ``run_sync`` on an async
connection: the event loop is never blocked and no request waits for a worker thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from fintrace_pipeline.api.driver_pool import DriverPool, is_disconnect
from fintrace_pipeline.api.errors import is_connection_error, unavailable_when_unreachable
from fintrace_pipeline.db.engine import SQLITE_BUSY_TIMEOUT_MS, get_engine

T = TypeVar("T")
CONNECT_TIMEOUT_S = 5
POOL_SIZE = 4


def async_url(url: str) -> str:
    """The settings URL with its driver swapped for the async one (postgresql+asyncpg, sqlite+aiosqlite)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        # asyncpg takes server settings as keyword arguments, not libpq's ``options`` string.
        query = {k: v for k, v in parsed.query.items() if k != "options"}
        return parsed.set(drivername="postgresql+asyncpg", query=query).render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")


def _server_settings(url: str) -> dict[str, str]:
    """``options=-csearch_path=x -cfoo=y`` (libpq) as asyncpg's ``server_settings``."""
    options = make_url(url).query.get("options")
    settings: dict[str, str] = {}
    for option in (options if isinstance(options, str) else " ".join(options or ())).split():
        option = option.removeprefix("-c")
        if "=" in option:
            key, value = option.split("=", 1)
            settings[key] = value
    return settings


def create_read_engine(url: str) -> AsyncEngine:
    target = async_url(url)
    if target.startswith("sqlite"):
        return create_async_engine(target, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    return create_async_engine(
        target,
        # pre-ping: after a database restart the pool drops dead connections instead of failing requests.
        pool_pre_ping=True,
        # A fixed pool: overflow connections would be opened and closed again under load, and a new
        # PostgreSQL backend costs far more than waiting a moment for a pooled one.
        pool_size=POOL_SIZE,
        max_overflow=0,
        pool_timeout=10,
        pool_recycle=1800,
        # Reads only: autocommit spares every request a BEGIN/ROLLBACK pair, and makes the pre-ping
        # one round trip instead of three (asyncpg pings inside a transaction otherwise).
        isolation_level="AUTOCOMMIT",
        connect_args={"server_settings": _server_settings(url), "timeout": CONNECT_TIMEOUT_S},
    )


class ApiDatabase:
    """The async engine for reads plus the sync engine the upload path hands to persistence code."""

    def __init__(self, url: str):
        self.url = url
        self.read_engine = create_read_engine(url)
        self.is_postgres = self.read_engine.dialect.name == "postgresql"
        self.driver_pool = DriverPool(url, _server_settings(url)) if self.is_postgres else None

    @property
    def sync_engine(self) -> Engine:
        return get_engine(self.url)

    async def read(self, query: Callable[..., T], *args: Any) -> T:
        """Run ``query(connection, *args)`` on a pooled async connection; 503 when unreachable."""
        with unavailable_when_unreachable():
            async with self.read_engine.connect() as connection:
                return await connection.run_sync(query, *args)

    async def on_driver(self, query: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``await query(asyncpg_connection, *args)`` on the PostgreSQL hot-path pool; 503 when unreachable."""
        assert self.driver_pool is not None, "the driver pool exists on PostgreSQL only"
        with unavailable_when_unreachable(lambda exc: is_connection_error(exc) or is_disconnect(exc)):
            return await self.driver_pool.run(query, *args)

    async def ping(self) -> None:
        await self.read(_select_one)

    async def dispose(self) -> None:
        if self.driver_pool is not None:
            await self.driver_pool.close()
        await self.read_engine.dispose()


def _select_one(connection: Connection) -> None:
    connection.execute(text("SELECT 1")).scalar_one()
