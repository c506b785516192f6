"""Which step failures are worth another attempt, in one place.

A step is retried, with backoff, only when the database failed it for a reason that passes: the
connection dropped, PostgreSQL gave up a transaction to a concurrent one (serialization failure,
deadlock) or SQLite's lock stayed taken. A failure caused by the file's content (it cannot be read,
every row is rejected) or by the code fails the same way again, so it fails the step at once.
"""

from __future__ import annotations

from dagster import Backoff, Failure, Jitter, RetryPolicy
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

# Four attempts over about 15 s: long enough for a database restart or a failover's reconnect.
STEP_RETRY_POLICY = RetryPolicy(max_retries=3, delay=2, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)

# SQLSTATE classes and codes that name a passing condition (PostgreSQL appendix A).
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57P01", "57P02", "57P03"})
TRANSIENT_SQLSTATE_CLASSES = ("08",)  # connection exceptions
# What drivers say when the connection or the lock is the problem (psycopg2 and sqlite3 messages).
TRANSIENT_MESSAGES = (
    "database is locked",
    "database table is locked",
    "server closed the connection unexpectedly",
    "connection already closed",
    "terminating connection",
    "could not connect to server",
    "connection refused",
    "connection timed out",
    "ssl connection has been closed unexpectedly",
    "could not serialize access",
    "deadlock detected",
)


def _sqlstate(error: BaseException) -> str | None:
    original = getattr(error, "orig", None) or error
    return getattr(original, "pgcode", None) or getattr(original, "sqlstate", None)


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a database failure that another attempt may not meet."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DisconnectionError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        code = _sqlstate(current)
        if code and (code in TRANSIENT_SQLSTATES or code.startswith(TRANSIENT_SQLSTATE_CLASSES)):
            return True
        if isinstance(current, OperationalError) or type(current).__module__.startswith(("sqlite3", "psycopg")):
            message = str(current).lower()
            if any(text in message for text in TRANSIENT_MESSAGES):
                return True
        current = current.__cause__ or current.__context__
    return False


def final_failure(description: str) -> Failure:
    """A step failure the retry policy must not retry."""
    return Failure(description=description, allow_retries=False)
