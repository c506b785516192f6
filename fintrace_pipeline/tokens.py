"""API tokens: made with ``secrets``, stored only as HMAC-SHA256 under the server's key.

A keyed hash rather than a salted slow one: tokens carry 256 random bits, so nothing is gained by
slowing a guess down, and an unsalted digest lets a request's token be found with one indexed
lookup. Without the key, a copy of the database does not even allow testing a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

TOKEN_PREFIX = "ft_"
TOKEN_BYTES = 32
KEY_FILE_NAME = "secret_key"
MIN_KEY_LENGTH = 16


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).hexdigest()


def server_key(configured: str | None, var_dir: Path) -> bytes:
    """FINTRACE_SECRET_KEY when set, else the key kept in ``var/secret_key`` (made once, mode 0600)."""
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise ValueError(f"FINTRACE_SECRET_KEY must be at least {MIN_KEY_LENGTH} characters")
        return configured.encode("utf-8")
    path = var_dir / KEY_FILE_NAME
    if not path.exists():
        _create_key_file(path)
    return path.read_bytes().strip()


def _create_key_file(path: Path) -> None:
    """Write the key under a private name, then link it into place: two processes starting at once
    agree on one key, and no reader ever sees a partly written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            pass  # another process made the key first: that one is used
    finally:
        partial.unlink(missing_ok=True)
