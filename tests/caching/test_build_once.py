"""Many clients missing the same key at once: one builds, the others wait."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.urls import resolve

from reviews import cache_tags
from reviews.invalidation import retire
from reviews.middleware import ReaderMiddleware
from reviews.response_cache import store
from reviews.response_cache.api import APIHeadersMiddleware
from reviews.response_cache.middleware import ResponseCacheMiddleware
from tests.caching.clients import at_once

CLIENTS = 8


def _at_once(middleware, make_request) -> list:
    return [response for _, response in at_once(middleware, make_request, CLIENTS)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_cold_api_response_is_built_once(rf):
    builds = []

    def view(request):
        builds.append(1)
        time.sleep(0.3)  # a slow listing: everyone else arrives meanwhile
        return JsonResponse({"items": [len(builds)]})

    def request():
        made = rf.get("/api/v3/reviews/")
        made.user = AnonymousUser()
        return made

    # The order of settings.MIDDLEWARE: a response with no reader is never shared.
    stack = ResponseCacheMiddleware(APIHeadersMiddleware(ReaderMiddleware(view)))
    responses = _at_once(stack, request)

    assert len(builds) == 1
    assert len(responses) == CLIENTS
    assert {response.status_code for response in responses} == {200}
    assert {response.content for response in responses} == {b'{"items": [1]}'}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_cold_page_is_built_once(rf):
    url = "/reviews/busy-review/"
    builds = []

    def view(request):
        builds.append(1)
        time.sleep(0.3)
        request.resolver_match = resolve(url)  # Wagtail's page serving
        return HttpResponse("<p>Busy review</p>", content_type="text/html")

    def request():
        made = rf.get(url)
        made.user = AnonymousUser()
        return made

    responses = _at_once(ResponseCacheMiddleware(view), request)

    assert len(builds) == 1
    assert {response.status_code for response in responses} == {200}
    assert {response.content for response in responses} == {b"<p>Busy review</p>"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_response_that_may_not_be_shared_is_built_for_each(rf):
    """Waiters do not take a private answer for theirs: with no entry kept,
    each builds its own."""
    builds = []

    def view(request):
        builds.append(1)
        time.sleep(0.1)
        response = JsonResponse({"mine": True})
        response["Cache-Control"] = "private"
        return response

    def request():
        made = rf.get("/api/v3/progress/")
        made.user = AnonymousUser()
        return made

    # The order of settings.MIDDLEWARE: a response with no reader is never shared.
    stack = ResponseCacheMiddleware(APIHeadersMiddleware(ReaderMiddleware(view)))
    responses = _at_once(stack, request)

    assert len(builds) == CLIENTS
    assert all("private" in r["Cache-Control"] for r in responses)


class Counted:
    """A page, or an API listing, that says which build it is."""

    def __init__(self, url: str = "/reviews/busy-review/") -> None:
        self.url = url
        self.builds = 0

    def __call__(self, request):
        self.builds += 1
        if self.url.startswith("/api/"):
            return JsonResponse({"build": self.builds})
        request.resolver_match = resolve(self.url)  # Wagtail's page serving
        return HttpResponse(f"<p>build {self.builds}</p>", content_type="text/html")


def _as_another_process(stack, make_request, change) -> None:
    """The copy built, kept in two processes' memory; ``change`` commits;
    the first process rebuilds it and shares the new copy, the second still
    holds the old one in its memory."""
    assert stack(make_request("GET")).status_code == 200
    with store._local_lock:
        second_process = dict(store._local)
    assert second_process
    change()
    store.forget_local()
    stack(make_request("GET"))  # the first process: build 2, shared
    store.forget_local()
    with store._local_lock:
        store._local.update(second_process)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("kind", ["page", "listing"])
def test_a_process_with_a_retired_copy_takes_the_one_another_process_rebuilt(
    rf, kind, method
):
    """After a change that retires a copy (a publish), every process held
    the old copy in its memory. The first to be asked rebuilt and shared
    it; each other process found its own copy retired and built the
    response again, without looking for the shared one: as many builds of
    every retired page as there are workers, after every publish."""
    view = Counted() if kind == "page" else Counted("/api/v3/reviews/")

    def make_request(method: str):
        made = rf.generic(method, view.url)
        made.user = AnonymousUser()
        return made

    if kind == "page":
        stack = ResponseCacheMiddleware(view)
    else:
        stack = ResponseCacheMiddleware(APIHeadersMiddleware(ReaderMiddleware(view)))
    _as_another_process(stack, make_request, lambda: retire({cache_tags.SITE}))

    response = stack(make_request(method))

    assert response.status_code == 200
    assert view.builds == 2
    if method == "GET":
        assert b"2" in response.content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_process_whose_copy_nobody_rebuilt_builds_it(rf):
    """The other side: the shared copy is the same retired one."""
    view = Counted()

    def request():
        made = rf.get(view.url)
        made.user = AnonymousUser()
        return made

    stack = ResponseCacheMiddleware(view)
    assert stack(request()).content == b"<p>build 1</p>"
    retire({cache_tags.SITE})

    assert stack(request()).content == b"<p>build 2</p>"
    assert stack(request()).content == b"<p>build 2</p>"
    assert view.builds == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_each_miss_says_whether_it_built_or_took_anothers_copy(rf, caplog):
    """At DEBUG the server logs each miss (what ``benchmarks workers``
    counts): one build, and the copy taken by every client that waited."""
    page = Counted()

    def view(request):
        time.sleep(0.3)
        return page(request)

    def request():
        made = rf.get(page.url)
        made.user = AnonymousUser()
        return made

    with caplog.at_level("DEBUG", logger="reviews.response_cache"):
        _at_once(ResponseCacheMiddleware(view), request)

    misses = [
        (record.getMessage(), record.path)
        for record in caplog.records
        if record.name == "reviews.response_cache.middleware"
    ]
    assert sorted(misses) == sorted(
        [("shared copy built", page.url)]
        + [("shared copy taken from another build", page.url)] * (CLIENTS - 1)
    )
