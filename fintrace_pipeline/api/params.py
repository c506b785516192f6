"""Query-string parsing: each helper returns a typed value or raises ``BadRequest`` (400)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from fintrace_pipeline.api.errors import BadRequest
from fintrace_pipeline.db.schema import transaction_flags
from fintrace_pipeline.export_kinds import CSV, EXPORT_FORMATS, EXPORT_KINDS, REPORT_FORMATS
from fintrace_pipeline.persistence.audit import ACTIONS
from fintrace_pipeline.sources import MAX_SOURCE_LENGTH, InvalidSource, validate_source
from fintrace_pipeline.stages import ANALYTICS_TYPES, MODEL_TYPES
from fintrace_pipeline.status import JOB_STATES
from fintrace_pipeline.verdicts import REVIEW_STATES, VERDICTS

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
MAX_SEARCH_LENGTH = 100
ALL = "all"
# The flagged transactions' filters: the ensemble's 0-100 risk score, and a rule code as it is stored.
RISK_SCORE_RANGE = (0.0, 100.0)
MAX_RULE_CODE_LENGTH = transaction_flags.c.rule_code.type.length


@dataclass(frozen=True)
class Choice:
    """A query parameter that takes one of ``values``; when absent, ``default`` (or refused if ``required``)."""

    name: str
    values: tuple[str, ...]
    default: str | None = None
    required: bool = False


# The enumerated parameters; the OpenAPI document lists the same values.
ANALYTICS_TYPE = Choice("analytics_type", (*ANALYTICS_TYPES, ALL), default=ALL)
MODEL_TYPE = Choice("model_type", (*MODEL_TYPES, ALL), default=ALL)
LATEST_JOB_STATUS = Choice("status", JOB_STATES)
EXPORT_KIND = Choice("what", EXPORT_KINDS, required=True)
EXPORT_FORMAT = Choice("format", EXPORT_FORMATS, default=CSV)
REPORT_FORMAT = Choice("format", REPORT_FORMATS, required=True)
VERDICT = Choice("verdict", VERDICTS)
REVIEW_STATE = Choice("review", REVIEW_STATES)
AUDIT_ACTION = Choice("action", ACTIONS)
FLAGS = ("true", "false", "1", "0")


def choice(params: Mapping[str, str], parameter: Choice) -> str | None:
    value = params.get(parameter.name) or parameter.default
    if value is None and not parameter.required:
        return None
    if value not in parameter.values:
        raise BadRequest(f"{parameter.name} must be one of: {', '.join(parameter.values)}")
    return value


def type_filter(value: str) -> str | None:
    """An ``analytics_type`` or ``model_type`` as a filter: None for ``all``."""
    return None if value == ALL else value


def _converted(params: Mapping[str, str], name: str, convert: Callable[[str], T], expected: str) -> T | None:
    """``convert`` of the parameter's value; None when it is absent or empty."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return convert(value)
    except (ValueError, TypeError):
        raise BadRequest(f"{name} must be {expected}") from None


def optional_uuid(params: Mapping[str, str], name: str) -> uuid.UUID | None:
    return _converted(params, name, uuid.UUID, "a UUID")


def required_uuid(params: Mapping[str, str], name: str) -> uuid.UUID:
    value = optional_uuid(params, name)
    if value is None:
        raise BadRequest(f"{name} is required")
    return value


def file_or_job(params: Mapping[str, str], *, file_required: bool) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The ``file_id`` and ``job_id`` a request names: the file at least, or else at least one of the two."""
    file_id = optional_uuid(params, "file_id")
    job_id = optional_uuid(params, "job_id")
    if file_required and file_id is None:
        raise BadRequest("file_id is required")
    if file_id is None and job_id is None:
        raise BadRequest("file_id or job_id is required")
    return file_id, job_id


def bounded_int(params: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    number = _converted(params, name, int, "a whole number")
    if number is None:
        return default
    if not minimum <= number <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}")
    return number


def limit_offset(params: Mapping[str, str]) -> tuple[int, int]:
    return (
        bounded_int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        bounded_int(params, "offset", 0, 0, MAX_OFFSET),
    )


def optional_float(params: Mapping[str, str], name: str, minimum: float, maximum: float) -> float | None:
    number = _converted(params, name, float, "a number")
    if number is None:
        return None
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


def flag(params: Mapping[str, str], name: str) -> bool:
    """A yes/no parameter: true or 1, false or 0; absent is false."""
    value = params.get(name)
    if value is None or value == "":
        return False
    if value.lower() not in FLAGS:
        raise BadRequest(f"{name} must be true or false")
    return value.lower() in ("true", "1")


def optional_source(params: Mapping[str, str], name: str = "source") -> str | None:
    value = optional_text(params, name, max_length=MAX_SOURCE_LENGTH)
    if value is None:
        return None
    try:
        return validate_source(value)
    except InvalidSource as exc:
        raise BadRequest(str(exc)) from None


def optional_datetime(params: Mapping[str, str], name: str) -> datetime | None:
    """An ISO 8601 date or time; one with an offset is converted to UTC (timestamps are stored in UTC)."""
    moment = _converted(params, name, datetime.fromisoformat, "an ISO 8601 date or time, e.g. 2026-12-01T09:00")
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
