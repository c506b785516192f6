"""The Starlette application: the route table, error handlers, auth and CORS, and the read side's state."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from fintrace_pipeline.api import summary_cache
from fintrace_pipeline.api.auth import Authenticator, AuthMiddleware
from fintrace_pipeline.api.change_feed import ChangeFeed
from fintrace_pipeline.api.db import ApiDatabase
from fintrace_pipeline.api.driver_pool import asyncpg_dsn
from fintrace_pipeline.api.errors import EXCEPTION_HANDLERS
from fintrace_pipeline.api.reader import Reader
from fintrace_pipeline.api.routes import ROUTES
from fintrace_pipeline.api.schema import openapi_document
from fintrace_pipeline.dashboard import ROUTES as DASHBOARD_ROUTES
from fintrace_pipeline.settings import Settings


def create_app(settings: Settings, *, summary_cache_entries: int = summary_cache.MAX_ENTRIES) -> Starlette:
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    # Inside CORS, so a 401 still carries the CORS headers the browser needs to read it.
    middleware.append(Middleware(AuthMiddleware))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if app.state.change_feed is not None:
            await app.state.change_feed.close()
        await app.state.database.dispose()

    app = Starlette(
        routes=ROUTES + DASHBOARD_ROUTES,
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Created here (not at startup) so the app also works where lifespan events are not run; the
    # async engine connects lazily, on the first request.
    app.state.database = ApiDatabase(settings.database_url)
    app.state.summary_cache = summary_cache.SummaryCache(summary_cache_entries)
    app.state.change_feed = ChangeFeed(asyncpg_dsn(settings.database_url)) if app.state.database.is_postgres else None
    app.state.reader = Reader(app.state.database, app.state.summary_cache, app.state.change_feed)
    app.state.authenticator = Authenticator(settings, app.state.database)
    app.state.openapi = openapi_document(ROUTES)
    return app
