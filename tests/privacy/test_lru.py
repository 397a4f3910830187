"""The bounded cache the redaction engine keeps its per-text spans in."""

from __future__ import annotations

import random

import pytest

from privacy.lru import BoundedCache


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = BoundedCache[str, int](2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert cache.keys() == ["a", "c"]
    assert cache.get("b") is None and "b" not in cache
    cache.put("a", 4)  # storing again refreshes too
    cache.put("d", 5)
    assert cache.keys() == ["a", "d"] and cache.get("a") == 4


def test_it_never_holds_more_than_its_size_and_agrees_with_a_plain_dict() -> None:
    rng = random.Random(18)
    cache, plain = BoundedCache[int, int](50), {}
    for step in range(5_000):
        key = rng.randrange(200)
        if rng.random() < 0.5:
            cache.put(key, step)
            plain[key] = step
        else:
            found = cache.get(key)
            assert found is None or found == plain[key]
        assert len(cache) <= 50
    assert len(cache) == 50


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BoundedCache(0)
