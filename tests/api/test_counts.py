"""A public listing's total is counted once per content version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    BookFactory,
    UserFactory,
    make_review,
    make_series,
    token_client,
)

pytestmark = pytest.mark.django_db

V3 = "/api/v3/reviews/?limit=5"
V2 = "/api/v2/pages/?type=reviews.ReviewPage&limit=5"


@pytest.fixture(autouse=True)
def _no_response_cache(settings):
    """Whole responses stay out of the way: this is about the count alone."""
    settings.BOOKCLUB_API_RESPONSE_CACHE = False


def _get(client, url: str):
    """The response and how many ``COUNT(*)`` queries it took."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    counts = sum(
        q["sql"].upper().startswith("SELECT COUNT(*)") for q in context.captured_queries
    )
    return response, counts


def _total(response) -> int:
    body = response.json()
    return body["meta"]["total_count"] if "meta" in body else body["count"]


@pytest.mark.parametrize("url", [V3, V2, "/api/v3/books/", "/api/v3/series/"])
def test_anonymous_listing_counts_once_per_content_version(client, url):
    make_series("The Leningrad novels", [(make_review().book, 1)])
    make_review()
    first, first_counts = _get(client, url)
    second, second_counts = _get(client, url)
    assert first_counts == 1
    assert second_counts == 0
    assert _total(first) == _total(second) > 0


@pytest.mark.parametrize("url", [V3, V2])
def test_publish_and_unpublish_change_the_total(client, url):
    make_review()
    assert _total(client.get(url)) == 1
    page = make_review()
    assert _total(client.get(url)) == 2
    page.unpublish()
    assert _total(client.get(url)) == 1


def test_new_book_changes_the_books_total(client):
    BookFactory()
    before = _total(client.get("/api/v3/books/"))
    BookFactory()
    assert _total(client.get("/api/v3/books/")) == before + 1


def test_members_own_listing_is_always_counted(groups):
    member = UserFactory()
    api = token_client(member)
    url = "/api/v3/reviews/?mine=true"
    assert _total(api.get(url)) == 0
    make_review(owner=member, live=False)  # a draft: no new content version
    assert _total(api.get(url)) == 1


def test_logged_in_v2_listing_is_always_counted(client):
    make_review()
    client.force_login(UserFactory())
    assert _get(client, V2)[1] == _get(client, V2)[1] == 1
