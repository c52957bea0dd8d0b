"""Many clients missing the same key at once: one builds, the others wait."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.urls import resolve

from reviews.middleware import ReaderMiddleware
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
