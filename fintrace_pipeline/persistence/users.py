"""API users: a name, a role and the keyed hash of their token; revoked, never removed.

Names stay taken after a revocation: the audit log names its actors, and a name given to someone
else later would make its rows ambiguous.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, exists, insert, select, update

from fintrace_pipeline.db.schema import MAX_NAME_LENGTH, users
from fintrace_pipeline.persistence import audit
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.roles import ROLES
from fintrace_pipeline.tokens import new_token, token_digest
from fintrace_pipeline.verdicts import IMPORT_REVIEWER

_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._@-]{{0,{MAX_NAME_LENGTH - 1}}}")
# Names the application itself acts under in the audit log and on verdicts.
LOCAL_ADMIN = "local"  # every request while the API is open (no users, no FINTRACE_API_TOKEN)
API_TOKEN_ADMIN = "api-token"  # requests carrying FINTRACE_API_TOKEN
RESERVED_NAMES = frozenset({LOCAL_ADMIN, API_TOKEN_ADMIN, IMPORT_REVIEWER})


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def validate_name(name: str) -> str:
    if name.lower() in RESERVED_NAMES:
        raise UserError(f"{name!r} is a name FinTrace itself records actions under; choose another")
    if not _NAME.fullmatch(name):
        raise UserError(
            f"user name {name[:80]!r} is not valid: 1-{MAX_NAME_LENGTH} letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


def _user(row) -> User:
    return User(row.name, row.role, row.created_at, row.revoked_at)


def add_user(engine: Engine, key: bytes, name: str, role: str, *, actor: str) -> tuple[User, str]:
    """The new user and their token: the only time the token exists outside the caller's hands."""
    validate_name(name)
    if role not in ROLES:
        raise UserError(f"role must be one of: {', '.join(ROLES)}")
    token = new_token()
    now = utcnow()
    with engine.begin() as connection:
        existing = connection.execute(select(users).where(users.c.name == name)).first()
        if existing is not None:
            state = "revoked; names are never reused" if existing.revoked_at else existing.role
            raise UserError(f"user {name!r} exists already ({state})")
        connection.execute(
            insert(users).values(
                id=uuid.uuid4(), name=name, role=role, token_hash=token_digest(key, token), created_at=now
            )
        )
        audit.record(connection, audit.AuditEntry(actor, audit.USER_ADD, "user", name, None, {"role": role}), at=now)
    return User(name, role, now, None), token


def revoke_user(engine: Engine, name: str, *, actor: str) -> User:
    """Revoke ``name``'s token at once; the user stays listed, revoked."""
    now = utcnow()
    with engine.begin() as connection:
        row = connection.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            raise UserError(f"no user {name!r}")
        if row.revoked_at is not None:
            raise UserError(f"user {name!r} was revoked already, at {row.revoked_at:%Y-%m-%d %H:%M:%S} UTC")
        connection.execute(update(users).where(users.c.name == name).values(revoked_at=now))
        audit.record(
            connection,
            audit.AuditEntry(
                actor,
                audit.USER_REVOKE,
                "user",
                name,
                {"role": row.role, "revoked_at": None},
                {"role": row.role, "revoked_at": now},
            ),
            at=now,
        )
    return User(row.name, row.role, row.created_at, now)


def list_users(connection: Connection) -> list[User]:
    return [_user(row) for row in connection.execute(select(users).order_by(users.c.created_at, users.c.name))]


def active_user_by_token_hash(connection: Connection, token_hash: str) -> tuple[str, str] | None:
    """(name, role) of the active user holding the token with this hash: one lookup on a unique index."""
    row = connection.execute(
        select(users.c.name, users.c.role).where(users.c.token_hash == token_hash, users.c.revoked_at.is_(None))
    ).first()
    return (row.name, row.role) if row else None


def any_user_exists(connection: Connection) -> bool:
    """Whether a user was ever added (revoked ones count: revoking everyone must not open the API)."""
    return connection.execute(select(exists().where(users.c.id.is_not(None)))).scalar_one()
