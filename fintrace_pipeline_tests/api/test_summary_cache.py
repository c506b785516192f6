"""The summary cache: bounded, least recently used first out, checked against the freshness token."""

import uuid

from fintrace_pipeline.api.summary_cache import SummaryCache


def test_summary_cache_is_bounded_and_token_checked():
    cache = SummaryCache(max_entries=2)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    cache.put(a, ("1",), b"A")
    cache.put(b, ("1",), b"B")
    assert cache.get(a, ("1",)) == b"A"  # a is now the most recently used
    cache.put(c, ("1",), b"C")
    assert cache.get(b, ("1",)) is None and cache.get(a, ("1",)) == b"A" and cache.get(c, ("1",)) == b"C"
    assert cache.get(a, ("2",)) is None  # stale token
    disabled = SummaryCache(max_entries=0)
    disabled.put(a, ("1",), b"A")
    assert disabled.get(a, ("1",)) is None
