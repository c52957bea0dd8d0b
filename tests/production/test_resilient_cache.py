"""The production cache keeps the site serving while Redis is down."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from bookclub.cache import ResilientRedisCache
from tests.ports import free_port


def make_cache(url: str) -> ResilientRedisCache:
    return ResilientRedisCache(
        url, {"KEY_PREFIX": "t", "OPTIONS": {"DOWN_RETRY_SECONDS": 0.2}}
    )


def test_every_operation_is_a_miss_when_redis_cannot_be_reached(caplog):
    cache = make_cache(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="bookclub.cache"):
        assert cache.get("k") is None
        assert cache.get("k", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.has_key("k") is False
        assert cache.delete("k") is False
        assert cache.get_or_set("k", lambda: "computed") == "computed"
        with pytest.raises(ValueError):
            cache.incr("k")
    # One warning per outage, not one per call.
    assert [r.getMessage() for r in caplog.records].count(
        caplog.records[0].getMessage()
    ) == 1
    assert "unavailable" in caplog.records[0].getMessage()


def test_it_serves_from_redis_then_degrades_then_recovers(private_redis):
    cache = make_cache(private_redis.url)
    cache.set("book", "The Siege")
    assert cache.get("book") == "The Siege"
    assert cache.add("views", 1) is True
    assert cache.incr("views") == 2

    private_redis.stop()
    assert cache.get("book") is None
    assert cache.add("views", 1) is False
    assert cache.is_down

    private_redis.start()
    time.sleep(0.25)  # past DOWN_RETRY_SECONDS
    cache.set("book", "The Betrayal")
    assert cache.get("book") == "The Betrayal"
    assert not cache.is_down


def test_the_redis_client_is_built_once_not_per_call(private_redis, monkeypatch):
    """Django's Redis cache builds a client object for every call; ours one
    per connection pool, reused (also across an outage)."""
    built = []
    original = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    cache = make_cache(private_redis.url)
    for n in range(20):
        cache.set(f"k{n}", n)
        assert cache.get(f"k{n}") == n
    assert cache.get_many(["k1", "k2"]) == {"k1": 1, "k2": 2}
    assert len(built) == 1


def test_view_counting_survives_a_redis_outage(settings, db, django_assert_num_queries):
    from reviews.popularity import record_view

    settings.CACHES = {
        "default": {
            "BACKEND": "bookclub.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    with django_assert_num_queries(0):
        for _ in range(15):
            record_view(1)
