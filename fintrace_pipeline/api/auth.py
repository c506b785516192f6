"""Who is asking: the identity of every ``/api/`` request (whether they may is ``access``).

A request carries ``Authorization: Bearer <token>``: FINTRACE_API_TOKEN (an admin), or a user's
token, found by its keyed hash. Missing or unknown tokens answer 401; a role below what the route
needs answers 403. While no user was ever added and FINTRACE_API_TOKEN is unset, the API is open as
the embedded default is: every request acts as the local admin.
"""

from __future__ import annotations

import hmac
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from fintrace_pipeline.api import fastpath
from fintrace_pipeline.api.access import IDENTITY_KEY, Identity
from fintrace_pipeline.api.db import ApiDatabase
from fintrace_pipeline.api.errors import ApiError, error_response
from fintrace_pipeline.api.routes import API_PATH
from fintrace_pipeline.persistence import users
from fintrace_pipeline.roles import ADMIN
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.tokens import TOKEN_PREFIX, token_digest

PROTECTED_PREFIX = f"{API_PATH}/"
MAX_TOKEN_LENGTH = 200
# While the API is open, whether a user was added since is asked at most this often: an open API
# showed everything until then anyway, and requests skip a query.
OPEN_RECHECK_S = 1.0
UNAUTHORIZED = "missing or invalid bearer token"


class Authenticator:
    """The identity behind a request's ``Authorization`` header, or None (401)."""

    def __init__(self, settings: Settings, database: ApiDatabase):
        self.settings = settings
        self.database = database
        self._key: bytes | None = None
        # Users are revoked, never removed, so once one exists the API stays closed.
        self._closed = settings.api_token is not None
        self._open_until = 0.0  # time.monotonic() up to which the API is known to be open

    async def identify(self, authorization: str) -> Identity | None:
        token = _bearer(authorization)
        api_token = self.settings.api_token
        # Constant-time comparison: response timing must not reveal how much of a guess was right.
        if token and api_token and hmac.compare_digest(token.encode(), api_token.encode()):
            return Identity(users.API_TOKEN_ADMIN, ADMIN)
        if not self._closed:
            if time.monotonic() < self._open_until:
                return Identity(users.LOCAL_ADMIN, ADMIN)
            if not await self._any_user_exists():
                self._open_until = time.monotonic() + OPEN_RECHECK_S
                return Identity(users.LOCAL_ADMIN, ADMIN)
            self._closed = True
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            return None
        found = await self._token_holder(token_digest(self.key, token))
        return Identity(*found) if found else None

    # On PostgreSQL through the asyncpg hot path: these run before every request.
    async def _any_user_exists(self) -> bool:
        if self.database.is_postgres:
            return await self.database.on_driver(fastpath.any_user_exists)
        return await self.database.read(users.any_user_exists)

    async def _token_holder(self, token_hash: str) -> tuple[str, str] | None:
        if self.database.is_postgres:
            return await self.database.on_driver(fastpath.active_user_by_token_hash, token_hash)
        return await self.database.read(users.active_user_by_token_hash, token_hash)

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = self.settings.token_key()
        return self._key


def _bearer(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class AuthMiddleware:
    """Every request under ``/api/`` gets its identity (or a 401); other paths pass untouched."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED_PREFIX) or scope["method"] == "OPTIONS":
            # OPTIONS: CORS pre-flight requests never carry credentials.
            await self.app(scope, receive, send)
            return
        authenticator: Authenticator = scope["app"].state.authenticator
        try:
            identity = await authenticator.identify(Headers(scope=scope).get("authorization", ""))
        except ApiError as exc:  # the database is unreachable
            await error_response(exc.status_code, exc.message)(scope, receive, send)
            return
        if identity is None:
            response = error_response(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        scope[IDENTITY_KEY] = identity
        await self.app(scope, receive, send)
