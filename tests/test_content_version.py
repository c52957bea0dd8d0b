"""The content version is read once per request; values derived from it
follow every change."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import signals
from django.core.cache import cache

from reviews import content_version as cv

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_request():
    signals.request_started.send(sender=None)
    yield
    signals.request_finished.send(sender=None)


def _cache_reads(fn) -> int:
    with mock.patch.object(cache, "get", wraps=cache.get) as get:
        fn()
    return get.call_count


def test_a_request_reads_the_version_from_the_cache_once(in_request):
    first = cv.content_version()
    assert _cache_reads(cv.content_version) == 0
    assert cv.content_version() == first


def test_outside_a_request_the_version_is_always_read():
    cv.content_version()
    assert _cache_reads(cv.content_version) == 1


def test_a_change_during_the_request_moves_its_version_on(in_request):
    before = cv.content_version()
    cv._new_version()
    assert cv.content_version() != before
    assert cv.content_version() == cache.get(cv.VERSION_KEY)


def test_the_next_request_sees_another_process_s_change():
    signals.request_started.send(sender=None)
    seen = cv.content_version()
    cache.set(cv.VERSION_KEY, "changed elsewhere")
    assert cv.content_version() == seen  # this request keeps its snapshot
    signals.request_finished.send(sender=None)
    signals.request_started.send(sender=None)
    try:
        assert cv.content_version() == "changed elsewhere"
    finally:
        signals.request_finished.send(sender=None)


def test_in_process_values_are_computed_once_per_version():
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert cv.for_this_version_in_process("test-value", compute) == 1
    assert cv.for_this_version_in_process("test-value", compute) == 1
    assert len(computed) == 1
    cv._new_version()
    assert cv.for_this_version_in_process("test-value", compute) == 2


def test_in_process_values_expire_like_the_shared_ones(monkeypatch):
    """A process whose cache is not shared (no Redis) learns of another
    process's change no later than the shared copy would."""
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    clock = [1000.0]
    monkeypatch.setattr(cv.time, "monotonic", lambda: clock[0])
    assert cv.for_this_version_in_process("test-expiry", compute) == 1
    # The shared copy is gone too, as after its timeout.
    cache.delete(f"reviews:derived:{cv.content_version()}:test-expiry")
    clock[0] += cv.DERIVED_TIMEOUT - 1
    assert cv.for_this_version_in_process("test-expiry", compute) == 1
    clock[0] += 2
    assert cv.for_this_version_in_process("test-expiry", compute) == 2


def test_nothing_is_kept_in_process_while_the_cache_is_down(monkeypatch):
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    monkeypatch.setattr(cv, "content_version", lambda: cv.LOST_VERSION)
    monkeypatch.setattr(cv, "for_this_version", lambda name, fn: fn())
    assert cv.for_this_version_in_process("test-down", compute) == 1
    assert cv.for_this_version_in_process("test-down", compute) == 2
