"""The body of ``POST /api/verdicts/``: one verdict object or a list of them, each checked, and every
refusal naming the item it is about."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request

from fintrace_pipeline.api.errors import ApiError, BadRequest
from fintrace_pipeline.persistence.verdicts import Named
from fintrace_pipeline.verdicts import VERDICTS, InvalidVerdict, clean_comment

MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_ITEMS = 10_000
MAX_TARGET_NAME_LENGTH = 200  # of a transaction_id or je_number
TARGET_FIELDS = ("row_number", "transaction_id", "je_number")
FIELDS = ("file_id", *TARGET_FIELDS, "verdict", "comment")
MAX_ROW_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class RequestedVerdict:
    label: str  # how refusals name the item: "item 3 of 5: ...", or "" for a single object
    file_id: uuid.UUID
    target: Named
    verdict: str
    comment: str | None


async def read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"the body exceeds {MAX_BODY_BYTES} bytes; send the verdicts in several requests")
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise ApiError(413, f"the body exceeds {MAX_BODY_BYTES} bytes; send the verdicts in several requests")
    except ClientDisconnect:
        raise BadRequest("the request body was cut off") from None
    return bytes(body)


def parse_verdicts(body: bytes) -> list[RequestedVerdict]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body must be JSON: a verdict object or a list of them") from None
    if not isinstance(document, (list, dict)):
        raise BadRequest("the body must be a verdict object or a list of them")
    items = document if isinstance(document, list) else [document]
    if not items:
        raise BadRequest("the list holds no verdict")
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"at most {MAX_ITEMS} verdicts per request")
    single = isinstance(document, dict)
    return [_item(item, "" if single else f"item {i} of {len(items)}: ") for i, item in enumerate(items, 1)]


def _item(item: Any, label: str) -> RequestedVerdict:
    def refuse(message: str) -> BadRequest:
        return BadRequest(label + message)

    if not isinstance(item, dict):
        raise refuse("a verdict must be a JSON object")
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        raise refuse(f"unknown field {unknown[0][:40]!r}; a verdict has {', '.join(FIELDS)}")
    try:
        file_id = uuid.UUID(item["file_id"]) if isinstance(item.get("file_id"), str) else None
    except ValueError:
        file_id = None
    if file_id is None:
        raise refuse("file_id must be the UUID of a data file")
    named = [name for name in TARGET_FIELDS if item.get(name) is not None]
    if len(named) != 1:
        raise refuse("name exactly one of row_number, transaction_id or je_number")
    target = _target(named[0], item[named[0]], refuse)
    verdict = item.get("verdict")
    if verdict not in VERDICTS:
        raise refuse(f"verdict must be one of {', '.join(VERDICTS)}")
    try:
        comment = clean_comment(item.get("comment"))
    except InvalidVerdict as exc:
        raise refuse(str(exc)) from None
    return RequestedVerdict(label, file_id, target, verdict, comment)


def _target(field: str, value: Any, refuse) -> Named:
    if field == "row_number":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROW_NUMBER:
            raise refuse("row_number must be a whole number from 1 (the file's first data row)")
        return Named(row_number=value)
    if not isinstance(value, str) or not value or len(value) > MAX_TARGET_NAME_LENGTH or "\x00" in value:
        raise refuse(f"{field} must be text of 1-{MAX_TARGET_NAME_LENGTH} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise refuse(f"{field} must be valid Unicode text") from None
    return Named(transaction_id=value) if field == "transaction_id" else Named(je_number=value)
