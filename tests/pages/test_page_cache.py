"""The shared cache of HTML pages: anonymous, spoiler-free readers get a
stored copy; nobody else ever gets or leaves one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from unittest import mock

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from reviews import popularity
from reviews.models import Book, ReviewDailyViews, ReviewPage
from tests.cache_queries import SERVED_FROM_CACHE
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    make_discussion,
    make_review,
    make_series,
    paragraph,
    site_root,
    spoiler,
)
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db


def _get(client, url, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, len(queries)


@pytest.fixture(scope="module")
def built_club(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """The club every test here reads, built once for the module; what a
    test changes (a publish, a move, a restriction) rolls back after it."""
    with built_once(django_db_blocker):
        book = BookFactory(title="The Siege", chapter_count=30)
        yield {**_build_club(book), "book": book}


@pytest.fixture
def book(built_club) -> Book:
    return Book.objects.get(pk=built_club["book"].pk)


@pytest.fixture
def club(built_club) -> dict:
    """The module's club, its review read afresh from the database."""
    return {**built_club, "page": ReviewPage.objects.get(pk=built_club["page"].pk)}


def _build_club(book: Book) -> dict:
    review = make_review(
        book=book,
        title="A fine review",
        body=[paragraph("Open."), spoiler(book, 2, "The siege", "It ends.")],
    )
    series = make_series("Leningrad", [(book, 1)])
    discussion = make_discussion(book=book, title="Meeting")
    return {
        "home": site_root().url,
        "review": review.url,
        "reviews": review.get_parent().url,
        "series": series.url,
        "series index": series.get_parent().url,
        "discussion": discussion.url,
        "discussions": discussion.get_parent().url,
        "search": "/search/?q=fine",
        "feed": "/feeds/reviews/",
        "page": review,
    }


PAGES = [
    "home",
    "review",
    "reviews",
    "series",
    "series index",
    "discussion",
    "discussions",
    "search",
    "feed",
]


@pytest.mark.parametrize("name", PAGES)
def test_a_repeated_anonymous_request_costs_no_query(client, club, name):
    first, cold = _get(client, club[name])
    second, warm = _get(client, club[name])
    assert first.status_code == second.status_code == 200
    assert cold > SERVED_FROM_CACHE
    assert warm == SERVED_FROM_CACHE
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["ETag"].startswith('"')
    assert "public" in second["Cache-Control"]
    assert "max-age=60" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


@pytest.mark.parametrize("name", PAGES)
def test_a_shared_page_holds_no_csrf_token_and_sets_no_cookie(client, club, name):
    client.get(club[name])
    cached = client.get(club[name])
    assert b"csrfmiddlewaretoken" not in cached.content
    assert not cached.cookies


@pytest.mark.parametrize("name", ["home", "review", "discussion"])
def test_a_member_is_never_served_from_nor_stored_in_the_cache(
    client, club, member, name
):
    url = club[name]
    anonymous, _ = _get(client, url)
    client.force_login(member)
    for _ in range(2):
        response, queries = _get(client, url)
        assert queries > SERVED_FROM_CACHE
        assert b"Log out" in response.content
        assert "public" not in response.get("Cache-Control", "")
        assert "private" in response["Cache-Control"]
    client.logout()
    again, queries = _get(client, url)
    assert queries == SERVED_FROM_CACHE, "the anonymous copy is still there"
    assert again.content == anonymous.content
    assert b"Log out" not in again.content


def test_a_member_never_leaves_a_copy_for_visitors(client, club, member):
    client.force_login(member)
    client.get(club["home"])
    client.logout()
    response, queries = _get(client, club["home"])
    assert queries > SERVED_FROM_CACHE
    assert b"Log out" not in response.content


@pytest.mark.parametrize("params", [{"spoilers": "show"}, {"read": "BOOK"}])
def test_a_reader_who_reveals_is_never_cached(client, club, book, params):
    params = {k: v.replace("BOOK", str(book.pk)) for k, v in params.items()}
    for _ in range(2):
        response, queries = _get(client, club["review"], data=params)
        assert queries > SERVED_FROM_CACHE
        assert b"spoiler__read" in response.content
        assert "no-store" in response["Cache-Control"]
    plain = client.get(club["review"])
    assert b"spoiler__read" not in plain.content


def test_a_members_progress_never_reaches_visitors(client, club, member, book):
    ReadingProgressFactory(member=member, book=book, chapter=5)
    client.force_login(member)
    assert b"You have read this far" in client.get(club["review"]).content
    client.logout()
    assert b"You have read this far" not in client.get(club["review"]).content
    assert b"You have read this far" not in client.get(club["review"]).content


def test_a_pending_message_or_session_bypasses_the_cache(client, club):
    client.get(club["home"])
    client.cookies["messages"] = "something"
    _, queries = _get(client, club["home"])
    assert queries > SERVED_FROM_CACHE
    del client.cookies["messages"]
    client.cookies["sessionid"] = "not-a-session"
    _, queries = _get(client, club["home"])
    assert queries > SERVED_FROM_CACHE


def test_etag_answers_304_when_stored_and_when_served(client, club):
    first = client.get(club["review"])
    etag = first["ETag"]
    assert client.get(club["review"], HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(club["review"], HTTP_IF_NONE_MATCH='"old"').status_code == 200
    # A client that revalidates while the copy is being stored gets a 304 too.
    client.get(club["home"])
    home_etag = client.get(club["home"])["ETag"]
    from django.core.cache import cache

    cache.clear()
    not_modified = client.get(club["home"], HTTP_IF_NONE_MATCH=home_etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == home_etag


def test_publishing_a_review_changes_the_lists(client, club, book):
    client.get(club["home"])
    client.get(club["reviews"])
    make_review(book=book, title="Brand new review")
    assert b"Brand new review" in client.get(club["home"]).content
    assert b"Brand new review" in client.get(club["reviews"]).content


def test_unpublishing_a_review_retires_its_page_and_its_card(client, club):
    page = club["page"]
    assert client.get(club["review"]).status_code == 200
    assert b"A fine review" in client.get(club["home"]).content
    page.unpublish()
    assert client.get(club["review"]).status_code == 404
    assert b"A fine review" not in client.get(club["home"]).content


def test_editing_a_book_changes_the_review_page(client, club, book):
    assert b"The Siege" in client.get(club["review"]).content
    book.title = "The Blockade"
    book.save()
    assert b"The Blockade" in client.get(club["review"]).content


def test_moving_a_review_changes_both_places(client, club, book):
    from tests.factories import review_index

    old_url = club["review"]
    client.get(old_url)
    page = ReviewPage.objects.get(pk=club["page"].pk)
    page.move(review_index(), pos="first-child")
    page.slug = "renamed"
    page.save_revision().publish()
    assert client.get(old_url).status_code == 404


def test_a_view_restriction_takes_the_page_out_of_the_cache(client, club):
    client.get(club["review"])
    PageViewRestriction.objects.create(
        page=club["page"], restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get(club["review"]).status_code == 302


def test_a_password_protected_page_is_never_stored(client, club):
    PageViewRestriction.objects.create(
        page=club["page"],
        restriction_type=PageViewRestriction.PASSWORD,
        password="letmein",  # noqa: S106
    )
    for _ in range(2):
        response, queries = _get(client, club["review"])
        assert queries > SERVED_FROM_CACHE
        assert "public" not in response.get("Cache-Control", "")


def test_a_response_that_sets_a_cookie_is_never_stored(client, club, monkeypatch):
    original = ReviewPage.serve

    def serve_with_cookie(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        response.set_cookie("seen", "1")
        return response

    monkeypatch.setattr(ReviewPage, "serve", serve_with_cookie)
    for _ in range(2):
        response, queries = _get(client, club["review"])
        assert queries > SERVED_FROM_CACHE
        assert response.cookies["seen"].value == "1"
        assert "public" not in response.get("Cache-Control", "")


def test_views_served_from_the_cache_are_still_counted(client, club):
    page = club["page"]
    for _ in range(popularity.FLUSH_EVERY):
        client.get(club["review"])
    assert ReviewDailyViews.objects.get(page=page).views == popularity.FLUSH_EVERY


def test_a_head_request_is_served_from_the_cache(client, club):
    client.get(club["review"])
    with CaptureQueriesContext(connection) as queries:
        response = client.head(club["review"])
    assert response.status_code == 200
    assert len(queries) == SERVED_FROM_CACHE


def test_pages_outside_the_club_are_not_cached(client, club):
    for _ in range(2):
        response, queries = _get(client, "/accounts/login/")
        assert "public" not in response.get("Cache-Control", "")


def test_a_bad_reader_parameter_is_still_a_400(client, club):
    client.get(club["review"])
    assert client.get(club["review"], {"spoilers": "maybe"}).status_code == 400


def test_the_page_cache_can_be_turned_off(client, club, settings):
    settings.BOOKCLUB_PAGE_CACHE = False
    client.get(club["home"])
    response, queries = _get(client, club["home"])
    assert queries > SERVED_FROM_CACHE
    assert "ETag" not in response


@pytest.mark.parametrize("name", ["home", "series", "discussions"])
def test_the_server_keeps_a_page_past_its_http_max_age(client, club, name, settings):
    """Browsers and CDNs revalidate after ``BOOKCLUB_PAGE_MAX_AGE``; the server
    keeps its copy until ``BOOKCLUB_PAGE_CACHE_TIMEOUT`` or a content change."""
    settings.BOOKCLUB_PAGE_MAX_AGE = 60
    settings.BOOKCLUB_PAGE_CACHE_TIMEOUT = 300
    start = time.time()
    first = client.get(club[name])
    assert "max-age=60" in first["Cache-Control"]

    with mock.patch("time.time", return_value=start + 120):
        later, queries = _get(client, club[name])
    assert queries == SERVED_FROM_CACHE, (
        "still the server's copy after the HTTP max-age"
    )
    assert later.content == first.content

    with mock.patch("time.time", return_value=start + 400):
        _, queries = _get(client, club[name])
    assert queries > SERVED_FROM_CACHE, "built again once the server's timeout passed"


def _anonymous_search_request(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.urls import resolve

    request = rf.get("/search/")
    request.resolver_match = resolve("/search/")
    request.user = AnonymousUser()
    return request


def test_is_shareable_refuses_cookies_and_csrf_tokens(rf):
    from reviews.response_cache.pages import is_shareable

    request = _anonymous_search_request(rf)
    assert is_shareable(request, HttpResponse("<p>hi</p>"))

    with_cookie = HttpResponse("<p>hi</p>")
    with_cookie.set_cookie("x", "y")
    assert not is_shareable(request, with_cookie)

    with_token = HttpResponse('<input name="csrfmiddlewaretoken" value="t">')
    assert not is_shareable(request, with_token)

    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    assert not is_shareable(request, HttpResponse("<p>hi</p>"))


def test_is_shareable_refuses_other_views_and_statuses(rf):
    from django.urls import resolve

    from reviews.response_cache.pages import is_shareable

    request = _anonymous_search_request(rf)
    assert not is_shareable(request, HttpResponse("gone", status=404))
    assert not is_shareable(
        request, HttpResponse("{}", content_type="application/json")
    )
    request.resolver_match = resolve("/accounts/login/")
    assert not is_shareable(request, HttpResponse("<p>hi</p>"))
