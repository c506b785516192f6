"""JSON response bodies, including ones that splice stored JSON text in verbatim.

Stored result sections can be large; reading them as text and splicing them into the body saves a
parse and a re-serialisation per request. The stored text is always JSON written by the pipeline.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from starlette.responses import Response


class RawJSON:
    """A piece of already-serialised JSON (``None`` for SQL NULL) to be emitted as is."""

    __slots__ = ("text",)

    def __init__(self, text: str | None):
        self.text = text if text is not None and text.strip() else "null"


def dumps(value: Any) -> str:
    """Serialise ``value`` with the C encoder, emitting every ``RawJSON`` inside it verbatim.

    Each RawJSON is first written as a placeholder string carrying a per-call random tag (so no
    stored text can imitate one), then the placeholders are replaced by the raw texts in one pass.
    """
    raws: list[str] = []
    tag = secrets.token_hex(8)

    def placeholder(obj: Any) -> str:
        if isinstance(obj, RawJSON):
            raws.append(obj.text)
            return f"{tag}:{len(raws) - 1}"
        raise TypeError(f"{obj.__class__.__name__} is not JSON serialisable")

    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=placeholder)
    if not raws:
        return text
    return re.sub(f'"{tag}:(\\d+)"', lambda m: raws[int(m.group(1))], text)


def merge_object(raw: RawJSON, extra: dict[str, Any]) -> RawJSON:
    """``raw`` (a JSON object, or null meaning {}) with ``extra``'s keys added last, so they win."""
    body = raw.text.strip()
    if not (body == "null" or (body.startswith("{") and body.endswith("}"))):
        raise ValueError("merge_object needs a JSON object")
    inner = "" if body == "null" else body[1:-1].strip()
    additions = dumps(extra)[1:-1]
    return RawJSON("{" + ",".join(part for part in (inner, additions) if part) + "}")


def success_body(payload: dict[str, Any]) -> bytes:
    """``{"success": true, ...payload}``, serialised."""
    return dumps({"success": True, **payload}).encode("utf-8")


def json_response(body: bytes, status_code: int = 200) -> Response:
    """A JSON body serialised already (or kept from an earlier answer)."""
    return Response(body, status_code=status_code, media_type="application/json")


def json_ok(payload: dict[str, Any], status_code: int = 200) -> Response:
    return json_response(success_body(payload), status_code)
