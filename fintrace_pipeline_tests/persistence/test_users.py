"""API users on real SQLite and PostgreSQL: tokens stored only as keyed hashes, revocation, names
never reused, and an audit row for every change."""

import pytest
from sqlalchemy import select

from fintrace_pipeline.db.schema import audit_log, users
from fintrace_pipeline.persistence.users import (
    UserError,
    active_user_by_token_hash,
    add_user,
    any_user_exists,
    list_users,
    revoke_user,
)
from fintrace_pipeline.tokens import token_digest

KEY = b"k" * 32


def test_a_new_users_token_is_stored_only_as_its_keyed_hash(engine):
    with engine.connect() as connection:
        assert not any_user_exists(connection)
    user, token = add_user(engine, KEY, "alice", "reviewer", actor="cli:root")
    assert (user.name, user.role, user.active) == ("alice", "reviewer", True)
    assert token.startswith("ft_") and len(token) >= 40
    with engine.connect() as connection:
        (row,) = connection.execute(select(users)).all()
        assert token not in str(tuple(row)) and row.token_hash == token_digest(KEY, token)
        assert active_user_by_token_hash(connection, token_digest(KEY, token)) == ("alice", "reviewer")
        # The same token under another key is another hash: a copy of the database alone finds nobody.
        assert active_user_by_token_hash(connection, token_digest(b"x" * 32, token)) is None
        assert any_user_exists(connection)


def test_tokens_differ_for_every_user(engine):
    tokens = {add_user(engine, KEY, f"user{i}", "viewer", actor="cli")[1] for i in range(20)}
    assert len(tokens) == 20


def test_a_revoked_token_finds_nobody_and_the_user_stays_listed(engine):
    _, token = add_user(engine, KEY, "bob", "admin", actor="cli:root")
    add_user(engine, KEY, "carol", "viewer", actor="cli:root")
    revoked = revoke_user(engine, "bob", actor="cli:root")
    assert revoked.revoked_at is not None
    with engine.connect() as connection:
        assert active_user_by_token_hash(connection, token_digest(KEY, token)) is None
        listed = {u.name: (u.role, u.active) for u in list_users(connection)}
        # Revoked users still count: revoking everyone must not open the API.
        assert any_user_exists(connection)
    assert listed == {"bob": ("admin", False), "carol": ("viewer", True)}
    with pytest.raises(UserError, match="revoked already"):
        revoke_user(engine, "bob", actor="cli:root")
    with pytest.raises(UserError, match="no user 'dave'"):
        revoke_user(engine, "dave", actor="cli:root")


@pytest.mark.parametrize(
    "name, role, message",
    [
        ("erin", "owner", "role must be one of: viewer, reviewer, admin"),
        ("import", "viewer", "FinTrace itself"),
        ("Local", "viewer", "FinTrace itself"),
        ("api-token", "admin", "FinTrace itself"),
        ("has space", "viewer", "not valid"),
        ("cli:root", "viewer", "not valid"),
        ("x" * 65, "viewer", "not valid"),
    ],
)
def test_bad_names_and_roles_are_refused(engine, name, role, message):
    with pytest.raises(UserError, match=message):
        add_user(engine, KEY, name, role, actor="cli")
    with engine.connect() as connection:
        assert list_users(connection) == []


def test_names_are_never_reused_even_after_a_revocation(engine):
    add_user(engine, KEY, "frank", "viewer", actor="cli")
    with pytest.raises(UserError, match="exists already"):
        add_user(engine, KEY, "frank", "admin", actor="cli")
    revoke_user(engine, "frank", actor="cli")
    with pytest.raises(UserError, match="names are never reused"):
        add_user(engine, KEY, "frank", "viewer", actor="cli")


def test_every_user_change_is_in_the_audit_log(engine):
    add_user(engine, KEY, "gina", "reviewer", actor="cli:root")
    revoke_user(engine, "gina", actor="cli:ops")
    with engine.connect() as connection:
        rows = connection.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert [(r.actor, r.action, r.target_type, r.target_id) for r in rows] == [
        ("cli:root", "user.add", "user", "gina"),
        ("cli:ops", "user.revoke", "user", "gina"),
    ]
    assert rows[0].before is None and rows[0].after == {"role": "reviewer"}
    assert rows[1].before == {"role": "reviewer", "revoked_at": None}
    assert rows[1].after["revoked_at"] == rows[1].at.isoformat()
