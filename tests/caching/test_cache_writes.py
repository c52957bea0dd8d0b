"""A cold build costs three round trips with Redis: the look-up of its copy
and the taking of its build lock in one (a script), the look-up of the
bodies it may reuse, and its writes: the bodies it keeps, its entry and the
release of its lock go as one pipeline when it ends (reviews/cache_writes.py),
never before, and always, an error included."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, override_settings

from reviews import cache_writes
from reviews.response_cache import builds
from tests.factories import make_review, paragraph


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "bookclub.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "writes",
        }
    }


@contextmanager
def round_trips() -> Iterator[list[bytes]]:
    """What each round trip to Redis sends first (a pipeline sends all its
    commands at once): one item per round trip."""
    sent: list[bytes] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        first = command[0] if isinstance(command, list) else command
        sent.append(bytes(first)[:80])
        return original(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counting
    try:
        yield sent
    finally:
        redis.connection.AbstractConnection.send_packed_command = original


@pytest.fixture
def redis_cache(private_redis):
    with override_settings(CACHES=_redis_cache(private_redis.url)):
        cache.clear()
        yield private_redis


def test_writes_are_held_until_the_block_ends_then_sent_in_one_round_trip(
    redis_cache,
):
    cache.set("lock", "mine", timeout=30)
    with round_trips() as sent, cache_writes.batched():
        cache_writes.set_many({"body:1": ["kept"], "body:2": ["too"]}, timeout=60)
        cache_writes.set("entry", {"content": b"x"}, timeout=60)
        cache_writes.delete("lock")
        assert sent == []
        assert cache.get("entry") is None
        assert cache.get("lock") == "mine"
        held = len(sent)
    assert len(sent) - held == 1
    assert cache.get_many(["body:1", "body:2", "entry", "lock"]) == {
        "body:1": ["kept"],
        "body:2": ["too"],
        "entry": {"content": b"x"},
    }
    client = redis.Redis.from_url(redis_cache.url)
    ttls = [client.ttl(key) for key in client.keys("writes:*")]
    assert ttls and all(0 < ttl <= 60 for ttl in ttls)


def test_the_writes_are_sent_when_the_block_raises(redis_cache):
    cache.set("lock", "mine", timeout=30)
    with pytest.raises(RuntimeError), cache_writes.batched():
        cache_writes.set("body:1", "kept", timeout=60)
        cache_writes.delete("lock")
        raise RuntimeError("the build failed")
    assert cache.get("body:1") == "kept"
    assert cache.get("lock") is None


def test_a_nested_block_sends_with_the_outermost(redis_cache):
    with cache_writes.batched():
        with cache_writes.batched():
            cache_writes.set("inner", 1, timeout=60)
        assert cache.get("inner") is None
    assert cache.get("inner") == 1


def test_outside_a_block_each_write_goes_at_once(redis_cache):
    cache_writes.set("now", 1, timeout=60)
    assert cache.get("now") == 1
    cache_writes.delete("now")
    assert cache.get("now") is None


def test_with_redis_down_the_writes_are_dropped_and_nothing_raises(redis_cache):
    redis_cache.stop()
    with cache_writes.batched():
        cache_writes.set("entry", 1, timeout=60)
        cache_writes.delete("lock")
    redis_cache.start()
    assert cache.get("entry") is None


def test_the_embedded_cache_gets_the_same_writes(settings):
    """Any other backend (the process's own memory by default) gets them
    one by one, at the same moment."""
    with cache_writes.batched():
        cache_writes.set("entry", 1, timeout=60)
        cache_writes.set("gone", 1, timeout=60)
        cache_writes.delete("gone")
        assert cache.get("entry") is None
    assert cache.get("entry") == 1
    assert cache.get("gone") is None


def test_get_or_add_takes_the_lock_only_where_nothing_is_kept(redis_cache):
    value, taken = cache_writes.get_or_add("entry", "entry:lock", "me", 6)
    assert (value, taken) == (None, True)
    assert cache.get("entry:lock") == "me"
    ttl = redis.Redis.from_url(redis_cache.url).ttl(
        cache.make_and_validate_key("entry:lock")
    )
    assert 0 < ttl <= 6
    # Held: another client finds nothing and does not get it.
    assert cache_writes.get_or_add("entry", "entry:lock", "you", 6) == (None, False)
    assert cache.get("entry:lock") == "me"
    # Kept: the value, and no lock taken.
    cache.delete("entry:lock")
    cache.set("entry", {"content": b"x"}, timeout=60)
    assert cache_writes.get_or_add("entry", "entry:lock", "me", 6) == (
        {"content": b"x"},
        False,
    )
    assert cache.get("entry:lock") is None


def test_get_or_add_is_one_round_trip_and_survives_a_restarted_redis(redis_cache):
    cache_writes.get_or_add("warm", "warm:lock", "me", 6)
    with round_trips() as sent:
        cache_writes.get_or_add("entry", "entry:lock", "me", 6)
    assert len(sent) == 1, sent
    # A Redis that no longer knows the script (restarted, flushed).
    redis.Redis.from_url(redis_cache.url).script_flush()
    assert cache_writes.get_or_add("other", "other:lock", "me", 6) == (None, True)


def test_get_or_add_with_redis_down_finds_nothing_and_raises_nothing(redis_cache):
    redis_cache.stop()
    try:
        assert cache_writes.get_or_add("entry", "entry:lock", "me", 6) == (
            None,
            False,
        )
    finally:
        redis_cache.start()


def test_get_or_add_on_the_embedded_cache(settings):
    assert cache_writes.get_or_add("entry", "entry:lock", "me", 6) == (None, True)
    assert cache_writes.get_or_add("entry", "entry:lock", "you", 6) == (None, False)
    cache.set("entry", 1, timeout=60)
    assert cache_writes.get_or_add("entry", "entry:lock", "you", 6) == (1, False)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/"])
def test_a_cold_detail_costs_three_round_trips(redis_cache, book, url):
    """It looks up its copy and takes the lock (one script), looks up its
    body, then keeps the body and its copy and lets go of the lock in one
    pipeline; a waiting client finds the copy there before the lock is
    gone."""
    first, second = (
        make_review(book=book, body=[paragraph("Kind words.")]) for _ in range(2)
    )
    client = Client()
    client.get(url.format(pk=first.pk))
    with round_trips() as sent:
        response = client.get(url.format(pk=second.pk))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert len(sent) == 3, sent
    again = Client().get(url.format(pk=second.pk))
    assert again.content == response.content
    keys = redis.Redis.from_url(redis_cache.url).keys()
    assert not [key for key in keys if b"building" in key]


@pytest.mark.django_db
def test_a_build_that_raises_lets_go_of_the_lock_it_took_with_the_look_up(
    redis_cache, book, monkeypatch
):
    review = make_review(book=book, body=[paragraph("Kind words.")])
    from reviews.api import v2

    def broken(*args, **kwargs):
        raise RuntimeError("the build failed")

    monkeypatch.setattr(v2.item_cache, "bodies", broken)
    client = Client(raise_request_exception=False)
    assert client.get(f"/api/v2/pages/{review.pk}/").status_code == 500
    keys = redis.Redis.from_url(redis_cache.url).keys()
    assert not [key for key in keys if b"building" in key]


@pytest.mark.django_db
def test_a_build_that_raises_lets_go_of_its_lock_and_the_next_client_builds_at_once(
    redis_cache,
):
    """The lock's release goes out with the held writes when the build
    raises: the next client to miss builds at once rather than waiting out
    the lock (builds.WAIT_SECONDS), and what the build kept before failing
    still reaches Redis."""
    key = "reviews:api:response:raising"

    def failing(reading):
        cache_writes.set("reviews:item:kept-before-failing", ["body"], timeout=60)
        raise RuntimeError("the build failed")

    with pytest.raises(RuntimeError):
        builds.build_once(key, failing, timeout=60)
    assert cache.get(key + builds.LOCK_SUFFIX) is None
    assert cache.get("reviews:item:kept-before-failing") == ["body"]

    def building(reading):
        return HttpResponse(b"built"), None

    started = time.monotonic()
    response = builds.build_once(key, building, timeout=60)
    assert response.content == b"built"
    assert time.monotonic() - started < builds.WAIT_SECONDS


@contextmanager
def script_answer_lost() -> Iterator[None]:
    """Redis runs the look-up script, but its answer does not come back in
    time (``socket_timeout``: a busy Redis or machine): the client gets a
    timeout, as redis-py raises it, after the lock was taken."""
    original_send = redis.connection.AbstractConnection.send_packed_command
    original_read = redis.connection.AbstractConnection.read_response
    sent_script: list[bool] = []

    def sending(self, command, check_health=True):
        first = command[0] if isinstance(command, list) else command
        sent_script.append(bytes(first).upper().find(b"EVAL") >= 0)
        return original_send(self, command, check_health)

    def reading(self, *args, **kwargs):
        response = original_read(self, *args, **kwargs)
        if sent_script and sent_script[-1]:
            sent_script.clear()
            self.disconnect()
            raise redis.exceptions.TimeoutError("Timeout reading from socket")
        return response

    redis.connection.AbstractConnection.send_packed_command = sending
    redis.connection.AbstractConnection.read_response = reading
    try:
        yield
    finally:
        redis.connection.AbstractConnection.send_packed_command = original_send
        redis.connection.AbstractConnection.read_response = original_read


def test_a_lock_the_script_took_is_this_clients_when_its_answer_is_lost(redis_cache):
    with script_answer_lost():
        assert cache_writes.get_or_add("entry", "entry:lock", "me", 6) == (None, True)
    assert cache.get("entry:lock") == "me"
    # Anyone else's lock is still not this client's.
    with script_answer_lost():
        assert cache_writes.get_or_add("entry", "entry:lock", "you", 6) == (
            None,
            False,
        )


@pytest.mark.django_db
def test_a_cold_detail_whose_look_up_answer_is_lost_builds_at_once(redis_cache, book):
    """The script took the build lock, but its answer timed out: the client
    asks again through the cache's own calls, finds the lock taken, and must
    know it as its own, not wait out its own lock (builds.WAIT_SECONDS) and
    leave it behind for every other client of that address."""
    review = make_review(book=book, body=[paragraph("Kind words.")])
    started = time.monotonic()
    with script_answer_lost():
        response = Client().get(f"/api/v2/pages/{review.pk}/")
    assert response.status_code == 200
    assert time.monotonic() - started < builds.WAIT_SECONDS
    keys = redis.Redis.from_url(redis_cache.url).keys()
    assert not [key for key in keys if b"building" in key]
    assert Client().get(f"/api/v2/pages/{review.pk}/").content == response.content
