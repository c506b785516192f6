"""Whether the identity a request was authenticated as (``auth``) may use a route.

Every ``/api/`` route may be read by any identity; a route that does more names its permission
with ``requires`` and answers 403 to roles below it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api.errors import ApiError
from fintrace_pipeline.roles import READ, Permission, may

IDENTITY_KEY = "fintrace.identity"


@dataclass(frozen=True)
class Identity:
    name: str
    role: str


def identity_of(request: Request) -> Identity:
    return request.scope[IDENTITY_KEY]


class Forbidden(ApiError):
    def __init__(self, identity: Identity, permission: Permission):
        super().__init__(
            403,
            f"{permission.description} needs the {permission.least_role} role; {identity.name} is a {identity.role}",
        )


Endpoint = Callable[[Request], Awaitable[Response]]


def requires(permission: Permission) -> Callable[[Endpoint], Endpoint]:
    """A route that needs more than reading: 403 for identities whose role does not allow it."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            identity = identity_of(request)
            if not may(identity.role, permission):
                raise Forbidden(identity, permission)
            return await endpoint(request)

        guarded.required_permission = permission  # read by the OpenAPI document
        return guarded

    return decorate


def required_permission(endpoint: Callable) -> Permission:
    return getattr(endpoint, "required_permission", READ)
