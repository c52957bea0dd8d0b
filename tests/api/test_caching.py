"""ETags, Last-Modified, 304s and Cache-Control on the APIs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.http import http_date

from reviews import cache_tags
from reviews.models import CacheTag
from tests.factories import (
    BookFactory,
    UserFactory,
    make_review,
    paragraph,
    token_client,
)

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v3/reviews/",
    "/api/v3/reviews/{review}/",
    "/api/v3/books/",
    "/api/v3/books/{book}/",
    "/api/v2/pages/{review}/",
    "/api/v2/pages/?type=reviews.ReviewPage",
    "/api/v3/pages/{review}/",
]


def _set_changed_at(moment) -> None:
    """As if every tag was last retired at ``moment``."""
    CacheTag.objects.update(changed_at=moment)


def _changed_at():
    return CacheTag.objects.get(name=cache_tags.ALL).changed_at


@pytest.fixture
def review():
    return make_review(book=BookFactory(), body=[paragraph("Kind words.")])


def _url(template: str, review) -> str:
    return template.format(review=review.pk, book=review.book_id)


@pytest.mark.parametrize("template", URLS)
def test_etag_and_304(client, review, template):
    url = _url(template, review)
    # Built well after the last change: the response can name its second.
    _set_changed_at(timezone.now() - timedelta(hours=1))
    response = client.get(url)

    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert response["Last-Modified"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_publishing_changes_the_validators(client, review):
    url = "/api/v3/reviews/"
    _set_changed_at(timezone.now() - timedelta(hours=1))
    first = before = client.get(url)

    make_review(book=review.book, title="Another")

    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    # Built in the second of the change: it names no date (store.label).
    assert after.get("Last-Modified") != before["Last-Modified"]
    stale_since = client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert stale_since.status_code == 200


def test_a_change_later_in_the_same_second_is_never_answered_304(client, review):
    """Last-Modified counts whole seconds: a copy built in the second of the
    last change could not tell a later change in that second from none."""
    url = "/api/v3/reviews/"
    first = client.get(url)
    changed_at = _changed_at()

    review.unpublish()
    # The unpublish committed within the same second as the change before it.
    _set_changed_at(changed_at + timedelta(microseconds=1))

    if "Last-Modified" in first:
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 200
        assert review.title.encode() not in since.content


def test_unpublish_and_move_mark_the_content_changed(client, review):
    long_ago = timezone.now() - timedelta(days=1)
    _set_changed_at(long_ago)
    review.unpublish()
    assert _changed_at() > long_ago

    other = make_review(book=review.book)
    _set_changed_at(long_ago)
    other.move(review.get_parent(), pos="first-child")
    assert _changed_at() > long_ago


def test_reader_dependent_responses_are_private(client, review):
    url = f"/api/v3/reviews/{review.pk}/"
    for response in (
        client.get(url, {"spoilers": "show"}),
        client.get(url, {"read": str(review.book_id)}),
        token_client(UserFactory()).get(url),
    ):
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "Last-Modified" not in response
        assert response["ETag"]
        assert "Authorization" in response["Vary"]


def test_errors_are_not_given_validators(client):
    response = client.get("/api/v3/reviews/", {"bogus": "1"})
    assert response.status_code == 400
    assert "ETag" not in response


def test_last_modified_is_an_http_date(client, review):
    moment = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    _set_changed_at(moment)
    response = client.get("/api/v3/books/")
    assert response["Last-Modified"] == http_date(moment.timestamp())


class RecordingBackend:
    """A front-end cache backend that records what it was asked to purge."""

    purged: list[str] = []

    def __init__(self, params) -> None:
        pass

    def purge(self, url: str) -> None:
        self.purged.append(url)

    def purge_batch(self, urls) -> None:
        self.purged.extend(urls)

    def invalidates_hostname(self, hostname: str) -> bool:
        return True


@override_settings(
    WAGTAILFRONTENDCACHE={
        "recording": {"BACKEND": "tests.api.test_caching.RecordingBackend"}
    }
)
def test_publish_purges_the_api_urls_from_the_frontend_cache(
    review, django_capture_on_commit_callbacks
):
    RecordingBackend.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.save_revision().publish()
    assert f"http://testserver/api/v3/reviews/{review.pk}/" in RecordingBackend.purged
    assert "http://testserver/api/v3/reviews/" in RecordingBackend.purged
    assert f"http://testserver/api/v2/pages/{review.pk}/" in RecordingBackend.purged
    assert (
        f"http://testserver/api/v3/books/{review.book_id}/" in RecordingBackend.purged
    )

    RecordingBackend.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.unpublish()
    assert f"http://testserver/api/v3/reviews/{review.pk}/" in RecordingBackend.purged


@override_settings(BOOKCLUB_API_RESPONSE_CACHE=False)
def test_series_memberships_follow_series_edits(client):
    """Books show their series from a map kept per content version: a new
    position, a renamed or unpublished series shows at once."""
    from tests.factories import make_series

    book = BookFactory(title="The Betrayal")
    review = make_review(book=book, body=[paragraph("Kind words.")])
    series = make_series("Leningrad", [(book, 2)])

    def memberships(url: str) -> list:
        data = client.get(url).json()
        book_data = data["book"] if "book" in data else data["items"][0]["book"]
        return book_data["series"]

    urls = [
        f"/api/v2/pages/{review.pk}/",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=book",
        f"/api/v3/reviews/{review.pk}/",
    ]
    for url in urls:
        assert memberships(url) == [
            {"id": series.pk, "title": "Leningrad", "position": 2}
        ]

    entry = series.entries.get()
    entry.position = "2.5"
    entry.save()
    series.title = "The Leningrad novels"
    series.save_revision().publish()
    for url in urls:
        assert memberships(url) == [
            {"id": series.pk, "title": "The Leningrad novels", "position": 2.5}
        ]

    series.unpublish()
    for url in urls:
        assert memberships(url) == []
