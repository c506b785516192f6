"""PostgreSQL hot paths answer exactly as the generic views and queries."""

import asyncio
import json
import uuid

import pytest

from fintrace_pipeline.api import fastpath, queries
from fintrace_pipeline.api.driver_pool import DriverPool
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.persistence import users, views
from fintrace_pipeline.tokens import token_digest


@pytest.fixture
def postgres_seeded(seeded):
    if not seeded.settings.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL hot paths")
    return seeded


def _on_driver(url: str, query, *args):
    from fintrace_pipeline.api.db import _server_settings

    async def run():
        pool = DriverPool(url, _server_settings(url))
        try:
            return await pool.run(query, *args)
        finally:
            await pool.close()

    return asyncio.run(run())


def test_progress_json_equals_the_progress_view(postgres_seeded):
    url = postgres_seeded.settings.database_url
    engine = get_engine(url)
    for job_id in (postgres_seeded.completed_job_id, postgres_seeded.running_job_id, postgres_seeded.failed_job_id):
        with engine.connect() as connection:
            expected = views.progress_view(connection, job_id)
        assert json.loads(_on_driver(url, fastpath.progress_json, job_id)) == expected
    assert _on_driver(url, fastpath.progress_json, uuid.uuid4()) is None


def test_job_state_picks_the_same_job_as_the_generic_query(postgres_seeded):
    s = postgres_seeded
    url = s.settings.database_url
    with get_engine(url).connect() as connection:
        for file_id, job_id in (
            (s.file_id, None),
            (s.failed_file_id, None),
            (None, s.running_job_id),
            (s.file_id, s.running_job_id),
        ):
            generic = queries.job_state(connection, file_id, job_id)
            fast = _on_driver(url, fastpath.job_state, file_id, job_id)
            assert fast[:2] == generic[:2]
        assert queries.job_state(connection, s.bare_file_id, None) is None
    assert _on_driver(url, fastpath.job_state, s.bare_file_id, None) is None
    assert _on_driver(url, fastpath.job_state, s.failed_file_id, s.running_job_id) is None  # another file's job


def test_the_user_lookups_answer_as_the_generic_queries(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL hot paths")
    url = database_url  # a database of its own: a user closes the API
    engine = get_engine(url)
    key = b"k" * 32
    assert _on_driver(url, fastpath.any_user_exists) is False
    _, kept = users.add_user(engine, key, "kim", "reviewer", actor="test")
    _, revoked = users.add_user(engine, key, "rob", "admin", actor="test")
    users.revoke_user(engine, "rob", actor="test")
    with engine.connect() as connection:
        for token in (kept, revoked, "ft_unknown"):
            digest = token_digest(key, token)
            generic = users.active_user_by_token_hash(connection, digest)
            assert _on_driver(url, fastpath.active_user_by_token_hash, digest) == generic
        assert users.any_user_exists(connection) is _on_driver(url, fastpath.any_user_exists) is True
    assert _on_driver(url, fastpath.active_user_by_token_hash, token_digest(key, kept)) == ("kim", "reviewer")
