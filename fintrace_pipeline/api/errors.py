"""JSON error responses: every failure answers ``{"success": false, "error": ...}``, never a stack trace."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An expected failure with the status code and message the client should see."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class BadRequest(ApiError):
    def __init__(self, message: str):
        super().__init__(400, message)


class NotFound(ApiError):
    def __init__(self, message: str):
        super().__init__(404, message)


class DatabaseUnavailable(ApiError):
    def __init__(self, message: str = "the results database is unavailable, try again shortly"):
        super().__init__(503, message)


def error_response(status_code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"success": False, "error": message}, status_code=status_code, headers=headers)


async def api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.message)


async def http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


def is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` means "the database cannot be reached" rather than a bug in a query."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (OSError, TimeoutError, ConnectionError))


@contextlib.contextmanager
def unavailable_when_unreachable(
    is_unreachable: Callable[[BaseException], bool] = is_connection_error,
) -> Iterator[None]:
    """A failure to reach the database inside the block becomes ``DatabaseUnavailable`` (503)."""
    try:
        yield
    except Exception as exc:
        if is_unreachable(exc):
            raise DatabaseUnavailable() from exc
        raise


def is_invalid_value(exc: BaseException) -> bool:
    """Whether ``exc`` is a "data exception" (SQLSTATE class 22: bad text, number out of range, ...).

    psycopg2 raises ``DataError`` for these; asyncpg's errors reach SQLAlchemy as a generic
    ``DBAPIError`` that only its SQLSTATE tells apart.
    """
    if isinstance(exc, DataError):
        return True
    driver_error = getattr(exc, "orig", None)
    sqlstate = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("22")


async def database_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database error: %s", exc.__class__.__name__)
    if is_connection_error(exc):
        return error_response(503, DatabaseUnavailable().message)
    if is_invalid_value(exc):
        # The API only reads, so a value the database refuses came from the request (parameters
        # are validated first; this is the backstop).
        return error_response(400, "a parameter holds a value the database cannot accept")
    log.exception("database query failed", exc_info=exc)
    return error_response(500, "internal server error")


async def unexpected_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    # Log the details for operators; the client only learns that something went wrong.
    log.error("unhandled error", exc_info=exc)
    return error_response(500, "internal server error")


EXCEPTION_HANDLERS = {
    ApiError: api_error_handler,
    HTTPException: http_error_handler,
    DBAPIError: database_error_handler,
    Exception: unexpected_error_handler,
}
