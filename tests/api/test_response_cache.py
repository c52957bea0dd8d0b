"""Anonymous, spoiler-free API responses are served from the server's cache
until the content changes; reader-dependent ones never are."""

import time
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cache_queries import SERVED_FROM_CACHE
from tests.factories import (
    ReadingProgressFactory,
    make_review,
    spoiler,
)

pytestmark = pytest.mark.django_db

SECRET = "CACHEDSECRET"


def _queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, len(queries)


@pytest.mark.parametrize(
    "url", ["/api/v3/reviews/", "/api/v2/pages/?type=reviews.ReviewPage&fields=*"]
)
def test_a_repeated_anonymous_request_costs_no_query(client, book, url):
    make_review(book=book, title="First")
    first, cold = _queries(client, url)
    second, warm = _queries(client, url)
    assert cold > SERVED_FROM_CACHE
    assert warm == SERVED_FROM_CACHE
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"]


def test_publishing_retires_the_cached_listing(client, book):
    make_review(book=book, title="First")
    client.get("/api/v3/reviews/")
    make_review(book=book, title="Second")
    titles = [item["title"] for item in client.get("/api/v3/reviews/").json()["items"]]
    assert "Second" in titles


def test_reader_dependent_requests_bypass_the_cache(client, book, member):
    page = make_review(book=book, body=[spoiler(book, 2, "Two", SECRET)])
    url = f"/api/v3/reviews/{page.pk}/"
    assert SECRET not in client.get(url).content.decode()
    assert SECRET in client.get(url, {"read": str(book.pk)}).content.decode()
    assert SECRET in client.get(url, {"spoilers": "show"}).content.decode()
    ReadingProgressFactory(member=member, book=book, chapter=2)
    client.force_login(member)
    response = client.get(url)
    assert SECRET in response.content.decode()
    assert "private" in response["Cache-Control"]
    client.logout()
    assert SECRET not in client.get(url).content.decode(), "no reveal was cached"


def test_a_cached_response_still_answers_304(client, book):
    make_review(book=book)
    etag = client.get("/api/v3/reviews/")["ETag"]
    response = client.get("/api/v3/reviews/", headers={"If-None-Match": etag})
    assert response.status_code == 304


def test_a_view_restriction_retires_cached_responses(client, book):
    from wagtail.models import PageViewRestriction

    page = make_review(book=book, title="Soon private")
    assert client.get(f"/api/v3/reviews/{page.pk}/").status_code == 200
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get(f"/api/v3/reviews/{page.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v3/reviews/", "/api/v2/pages/"])
def test_the_server_keeps_a_response_past_its_http_max_age(client, book, url, settings):
    """Browsers and CDNs revalidate after ``BOOKCLUB_API_MAX_AGE``; the server
    keeps its copy until ``BOOKCLUB_API_CACHE_TIMEOUT`` or a content change."""
    settings.BOOKCLUB_API_MAX_AGE = 60
    settings.BOOKCLUB_API_CACHE_TIMEOUT = 300
    make_review(book=book, title="First")
    start = time.time()
    first = client.get(url)
    assert "max-age=60" in first["Cache-Control"]

    with mock.patch("time.time", return_value=start + 120):
        later, queries = _queries(client, url)
    assert queries == SERVED_FROM_CACHE, (
        "still the server's copy after the HTTP max-age"
    )
    assert later.content == first.content
    assert "max-age=60" in later["Cache-Control"]

    with mock.patch("time.time", return_value=start + 400):
        _, queries = _queries(client, url)
    assert queries > SERVED_FROM_CACHE, "built again once the server's timeout passed"
