"""What cannot be cached costs no cache round trip and no query: the page
and API caches decide from the route and the request alone before they ask
the cache or read a tag version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from tests.caching.test_round_trips import cache_calls

pytestmark = pytest.mark.django_db


def fixed_bytes(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"items": []}', content_type="application/json")


urlpatterns = [
    path("fixed.json", fixed_bytes, name="fixed_bytes"),
    path("", include("bookclub.urls")),
]


@pytest.mark.urls(__name__)
def test_a_view_that_is_never_shared_costs_no_round_trip(client):
    client.get("/fixed.json")
    with cache_calls() as calls, CaptureQueriesContext(connection) as queries:
        response = client.get("/fixed.json")
    assert response.status_code == 200
    assert response.content == b'{"items": []}'
    assert calls == []
    assert queries.captured_queries == []


def test_a_form_page_never_asks_the_page_cache(client):
    client.get("/accounts/login/")
    with cache_calls() as calls:
        response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert not [key for _, key in calls if "reviews:page:" in key]


@pytest.mark.parametrize("query", ["read=nonsense", "spoilers=maybe", "read=1:x"])
@pytest.mark.parametrize("url", ["/api/v3/reviews/", "/api/v2/pages/"])
def test_a_malformed_reader_parameter_costs_no_query_behind_an_edge_purged_by_url(
    client, settings, url, query
):
    """Refused before anything is read, and never public: an edge purged by
    URL, whose public answers are checked for changes made while they were
    built, changes nothing."""
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
    with cache_calls() as calls, CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert calls == []
    assert queries.captured_queries == []
