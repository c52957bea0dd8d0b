"""What the server's response cache costs per request, in round trips: one
for a response that may be shared (the read of its tags' versions; a hot
entry is in the process's memory), none for one that may not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from reviews.models import CacheTag
from tests.cache_queries import SERVED_FROM_CACHE, reads_tag_versions
from tests.caching.edges import URL_EDGE
from tests.factories import make_review, paragraph

pytestmark = pytest.mark.django_db

OPERATIONS = ("get", "get_many", "set", "set_many", "add", "delete", "incr", "touch")


@contextmanager
def cache_calls() -> Iterator[list[tuple[str, str]]]:
    """Every call the request makes to the cache, as (operation, key)."""
    backend = caches["default"]
    calls: list[tuple[str, str]] = []
    originals = {name: getattr(backend, name) for name in OPERATIONS}

    def recording(name):
        def call(key, *args, **kwargs):
            calls.append((name, str(key)))
            return originals[name](key, *args, **kwargs)

        return call

    for name in OPERATIONS:
        setattr(backend, name, recording(name))
    try:
        yield calls
    finally:
        for name in OPERATIONS:
            delattr(backend, name)


@pytest.fixture
def review(book):
    return make_review(book=book, body=[paragraph("Kind words.")])


@pytest.mark.parametrize("url", ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/"])
def test_a_cold_detail_reads_its_tags_versions_once(client, review, url):
    """Building it, its kept body and its entry all take the versions read
    before the build; the body is rendered and kept on the way."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url.format(pk=review.pk))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    reads = [q["sql"] for q in queries.captured_queries if reads_tag_versions(q["sql"])]
    assert len(reads) == 1
    assert reads[0] == queries.captured_queries[0]["sql"], "read before the build"


@pytest.mark.parametrize("url", ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/"])
def test_a_cold_detail_reads_neither_its_lock_nor_the_sites_from_the_cache(
    client, book, url
):
    """A build lets go of its lock without reading whose it is (it cannot
    have expired yet), and the page's URL takes the sites' root paths kept
    for this content version: a cold detail looks up its copy, takes the
    lock, looks up and keeps its body, keeps its copy and lets go."""
    first, second = (
        make_review(book=book, body=[paragraph("Kind words.")]) for _ in range(2)
    )
    client.get(url.format(pk=first.pk))
    with cache_calls() as calls:
        response = client.get(url.format(pk=second.pk))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    locks = [(op, key) for op, key in calls if key.endswith(":building")]
    assert [op for op, _ in locks] == ["add", "delete"]
    assert "wagtail_site_root_paths" not in {key for _, key in calls}


def _served_again(client, url: str):
    """``url`` asked twice: the second answer, which must come from the
    shared copy with one round trip (the read of its tags' versions) and no
    cache call; and its queries."""
    client.get(url)
    with cache_calls() as calls, CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert calls == []
    assert len(queries.captured_queries) == SERVED_FROM_CACHE
    assert reads_tag_versions(queries.captured_queries[0]["sql"])
    return response


@pytest.mark.parametrize(
    "url", ["/api/v3/reviews/", "/api/v2/pages/?type=reviews.ReviewPage", "HTML"]
)
def test_a_shared_response_costs_one_round_trip(client, review, url):
    url = review.get_parent().url if url == "HTML" else url
    assert "public" in _served_again(client, url)["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    ["/api/v3/reviews/", "/api/v3/reviews/0{pk}/", "/api/v3/reviews/?limit=5", "HTML"],
)
def test_behind_an_edge_purged_by_url_a_hit_costs_no_more(client, review, url):
    """Whether a change purges the address (public) or not (private) is
    known without a query or a cache call."""
    url = review.get_parent().url if url == "HTML" else url.format(pk=review.pk)
    with override_settings(**URL_EDGE):
        assert "max-age" in _served_again(client, url)["Cache-Control"]


@pytest.mark.parametrize("url", ["/api/v3/reviews/", "HTML"])
def test_a_response_kept_in_memory_is_shared_only_while_its_versions_hold(
    client, review, url
):
    url = review.get_parent().url if url == "HTML" else url
    client.get(url)
    client.get(url)
    # Another process retires a tag the response depends on: no signal
    # reaches this one, only the row in the database changes.
    CacheTag.objects.filter(name="reviews").update(version=12345)
    with cache_calls() as calls, CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries.captured_queries) > SERVED_FROM_CACHE  # built again
    assert "set" in [operation for operation, _ in calls]


def test_a_response_kept_in_memory_is_dropped_when_another_process_learned_it_first(
    client, review
):
    """The shared copy comes first when this process's own is out of date."""
    url = "/api/v3/reviews/"
    client.get(url)
    CacheTag.objects.filter(name="reviews").update(version=12345)
    client.get(url)  # built again, kept in both
    with cache_calls() as calls, CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert calls == []
    assert len(queries.captured_queries) == SERVED_FROM_CACHE


@pytest.mark.parametrize(
    "params", [{"spoilers": "show"}, {"read": "BOOK"}], ids=["spoilers", "read"]
)
@pytest.mark.parametrize("url", ["/api/v3/reviews/", "HTML"])
def test_a_reader_dependent_response_never_asks_the_response_cache(
    client, review, url, params
):
    url = review.get_parent().url if url == "HTML" else url
    params = {k: v.replace("BOOK", str(review.book_id)) for k, v in params.items()}
    client.get(url, params)
    with cache_calls() as calls:
        response = client.get(url, params)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert not [key for _, key in calls if "reviews:api:response" in key]
    assert not [key for _, key in calls if "reviews:page:" in key]


def test_a_member_s_request_never_asks_the_response_cache(client, review, member):
    client.force_login(member)
    url = review.get_parent().url
    client.get(url)
    with cache_calls() as calls:
        client.get(url)
        client.get("/api/v3/reviews/")
    assert not [
        key
        for _, key in calls
        if "reviews:api:response" in key or "reviews:page:" in key
    ]


def _health_checked_as_a_request_starts() -> None:
    """The state Django leaves a reused connection in as a request starts
    with ``CONN_HEALTH_CHECKS`` (``close_old_connections``, which the test
    client keeps off the request signals): checked before its first query."""
    connection.ensure_connection()
    connection.health_check_enabled = True
    connection.health_check_done = False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/api/v3/reviews/", "HTML"])
def test_a_hit_s_read_of_its_versions_is_the_connection_s_health_check(review, url):
    """Django checks a reused connection with a query of its own before a
    request's first one: on PostgreSQL a round trip as long as the hit's only
    read. The read is the check instead: no other query, and a connection
    lost since the last request is replaced and the hit still served."""
    url = review.get_parent().url if url == "HTML" else url
    client = Client()
    kept = client.get(url).content
    client.get(url)
    checked = []
    wrapper = type(connections["default"])
    original = wrapper.is_usable

    def is_usable(self):
        checked.append(self.alias)
        return original(self)

    reads = []

    def lost_once(execute, sql, params, many, context):
        reads.append(sql)
        if len(reads) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    try:
        with mock.patch.object(wrapper, "is_usable", is_usable):
            _health_checked_as_a_request_starts()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            assert response.content == kept
            assert checked == []
            assert len(queries.captured_queries) == SERVED_FROM_CACHE

            _health_checked_as_a_request_starts()
            with connection.execute_wrapper(lost_once):
                response = client.get(url)
            assert response.status_code == 200
            assert response.content == kept
            assert len(reads) == 2
            assert all(reads_tag_versions(sql) for sql in reads)
            assert checked == []
    finally:
        connection.health_check_enabled = False
        connection.health_check_done = True
