"""Bearer-token protection of the ``/api/`` routes (enabled when FINTRACE_API_TOKEN is set)."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from fintrace_pipeline.api.errors import error_response
from fintrace_pipeline.api.routes import API_PATH

PROTECTED_PREFIX = f"{API_PATH}/"


class BearerTokenMiddleware:
    """Every request under ``/api/`` must carry ``Authorization: Bearer <token>``; others pass."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED_PREFIX) or scope["method"] == "OPTIONS":
            # OPTIONS: CORS pre-flight requests never carry credentials.
            await self.app(scope, receive, send)
            return
        supplied = Headers(scope=scope).get("authorization", "").encode()
        # Constant-time comparison: response timing must not reveal how much of a guess was right.
        if hmac.compare_digest(supplied, self.expected):
            await self.app(scope, receive, send)
            return
        response = error_response(401, "missing or invalid bearer token", headers={"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)
