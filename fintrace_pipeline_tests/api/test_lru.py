"""The bounded mapping behind the answer caches."""

from fintrace_pipeline.api.lru import LruCache


def test_the_least_recently_used_entry_goes_first():
    cache = LruCache(max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    cache.put("a", 10)  # replacing keeps the size
    assert len(cache) == 2 and cache.get("a") == 10


def test_pop_clear_and_items_while_popping():
    cache = LruCache(max_entries=5)
    for key in "abc":
        cache.put(key, key.upper())
    cache.pop("b")
    cache.pop("missing")
    assert cache.items() == [("a", "A"), ("c", "C")]
    for key, _ in cache.items():
        cache.pop(key)
    assert len(cache) == 0
    cache.put("d", "D")
    cache.clear()
    assert cache.get("d") is None


def test_a_cache_of_no_entries_keeps_nothing():
    cache = LruCache(max_entries=0)
    cache.put("a", 1)
    assert cache.get("a") is None and len(cache) == 0
