"""Query-string parsing: each helper returns a typed value or raises ``BadRequest`` (400)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Mapping

from fintrace_pipeline.api.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000


def optional_uuid(params: Mapping[str, str], name: str) -> uuid.UUID | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise BadRequest(f"{name} must be a UUID") from None


def required_uuid(params: Mapping[str, str], name: str) -> uuid.UUID:
    value = optional_uuid(params, name)
    if value is None:
        raise BadRequest(f"{name} is required")
    return value


def choice(params: Mapping[str, str], name: str, allowed: Collection[str], default: str) -> str:
    value = params.get(name) or default
    if value not in allowed:
        raise BadRequest(f"{name} must be one of: {', '.join(allowed)}")
    return value


def bounded_int(params: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number") from None
    if not minimum <= number <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}")
    return number


def limit_offset(params: Mapping[str, str]) -> tuple[int, int]:
    return (
        bounded_int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        bounded_int(params, "offset", 0, 0, MAX_OFFSET),
    )


def optional_float(params: Mapping[str, str], name: str, minimum: float, maximum: float) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not math.isfinite(number) or not minimum <= number <= maximum:
        raise BadRequest(f"{name} must be between {minimum:g} and {maximum:g}")
    return number


def optional_text(params: Mapping[str, str], name: str, max_length: int = 100) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if len(value) > max_length:
        raise BadRequest(f"{name} must be at most {max_length} characters")
    _reject_nul(value, name)
    return value


def _reject_nul(value: str, name: str) -> None:
    """PostgreSQL text cannot hold U+0000: refuse it here rather than fail in the database."""
    if "\x00" in value:
        raise BadRequest(f"{name} must not contain NUL characters")
