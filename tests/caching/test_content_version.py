"""The content version is read from the database once per request; values
derived from it follow every change, made in this process or another."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import cache_tags, derived
from reviews import content_version as cv
from reviews.invalidation import retire
from reviews.models import CacheTag

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_request():
    # The version's own handlers of request_started/finished (the signals
    # would also close the test's database connection).
    cv.request_started()
    try:
        yield
    finally:
        cv.request_finished()


def _reads(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def _changed_elsewhere(version: int) -> None:
    """What another process's committed change looks like from here."""
    CacheTag.objects.update_or_create(
        name=cache_tags.ALL, defaults={"version": version, "changed_at": cv.EPOCH}
    )


def test_a_request_reads_the_version_from_the_database_once(in_request):
    first = cv.content_version()
    assert _reads(cv.content_version) == 0
    assert cv.content_version() == first


def test_outside_a_request_the_version_is_always_read():
    cv.content_version()
    assert _reads(cv.content_version) == 1


def test_the_version_costs_no_cache_round_trip(in_request):
    with mock.patch.object(cache, "get", wraps=cache.get) as get:
        cv.content_version()
    assert get.call_count == 0


def test_a_change_during_the_request_moves_its_version_on(in_request):
    before = cv.content_version()
    retire({cache_tags.book(1)})
    assert cv.content_version() != before
    assert cv.content_version() == str(
        CacheTag.objects.get(name=cache_tags.ALL).version
    )


def test_the_next_request_sees_another_process_s_change():
    cv.request_started()
    seen = cv.content_version()
    _changed_elsewhere(12345)
    assert cv.content_version() == seen  # this request keeps its snapshot
    cv.request_finished()
    cv.request_started()
    try:
        assert cv.content_version() == "12345"
    finally:
        cv.request_finished()


def test_in_process_values_are_computed_once_per_version():
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert derived.for_this_version_in_process("test-value", compute) == 1
    assert derived.for_this_version_in_process("test-value", compute) == 1
    assert len(computed) == 1
    retire({cache_tags.SITE})
    assert derived.for_this_version_in_process("test-value", compute) == 2


def test_in_process_values_expire_like_the_shared_ones(monkeypatch):
    """A process whose cache is not shared (no Redis) learns of another
    process's change no later than the shared copy would."""
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    clock = [1000.0]
    monkeypatch.setattr(derived.time, "monotonic", lambda: clock[0])
    assert derived.for_this_version_in_process("test-expiry", compute) == 1
    # The shared copy is gone too, as after its timeout.
    cache.delete(f"reviews:derived:{cv.content_version()}:test-expiry")
    clock[0] += derived.DERIVED_TIMEOUT - 1
    assert derived.for_this_version_in_process("test-expiry", compute) == 1
    clock[0] += 2
    assert derived.for_this_version_in_process("test-expiry", compute) == 2


def test_in_process_values_follow_another_process_s_change():
    """A process whose cache is not shared (no Redis) still learns of a
    change committed elsewhere: the version lives in the database."""
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert derived.for_this_version_in_process("test-elsewhere", compute) == 1
    assert derived.for_this_version_in_process("test-elsewhere", compute) == 1
    _changed_elsewhere(67890)
    assert derived.for_this_version_in_process("test-elsewhere", compute) == 2
