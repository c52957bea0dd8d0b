"""The book list shows each book's count of public reviews and their average
rating: it is kept through a new revision of a live review that changes
neither (most publishes: a summary, a title, the body), and changes the
moment a rating does, whoever writes it.

Before, every publish of any review retired the book list (it was tagged by
every review), so each editor's fix rebuilt the catalogue.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import cache_tags
from reviews.invalidation import tags_retired
from reviews.models import ReviewPage
from tests.caching.test_writes_without_signals import _moved_by
from tests.factories import BookFactory, make_review

#: Committed, as a writer in another process commits: on PostgreSQL the
#: triggers retire at the commit.
pytestmark = pytest.mark.django_db(transaction=True)

BOOKS = "/api/v3/books/?limit=20"


def _ratings(client) -> dict[str, float | None]:
    response = client.get(BOOKS)
    assert response.status_code == 200, response.content
    return {item["title"]: item["average_rating"] for item in response.json()["items"]}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def rated(client):
    """Two reviews of one book, rated 2 and 4; the book list read once
    (and kept)."""
    book = BookFactory(title="Alpha")
    edited = make_review(book=book, rating=2)
    make_review(book=book, rating=4)
    assert _ratings(client) == {"Alpha": 3.0}
    # Served from the copy: the one read of its tags' versions.
    assert _queries(client, BOOKS) == 1
    return edited


def test_a_new_revision_with_the_same_rating_keeps_the_book_list(client, rated):
    edited = ReviewPage.objects.get(pk=rated.pk)
    edited.summary = "Said better."
    edited.title = "Renamed"
    edited.save_revision().publish()

    assert _queries(client, BOOKS) == 1
    assert _ratings(client) == {"Alpha": 3.0}


def _publish_a_new_rating(review: ReviewPage) -> None:
    edited = ReviewPage.objects.get(pk=review.pk)
    edited.rating = 5
    edited.save_revision().publish()


def _update_without_signals(review: ReviewPage) -> None:
    """A script or a data migration: the row written with ``update()``, as
    another process would, with no signal sent."""
    ReviewPage.objects.filter(pk=review.pk).update(rating=5)


def _save_with_update_fields(review: ReviewPage) -> None:
    edited = ReviewPage.objects.get(pk=review.pk)
    edited.rating = 5
    edited.save(update_fields=["rating"])


@pytest.mark.parametrize(
    "change", [_publish_a_new_rating, _update_without_signals, _save_with_update_fields]
)
def test_a_new_rating_shows_in_the_book_list_at_once(client, rated, change):
    change(rated)
    assert _ratings(client) == {"Alpha": 4.5}


def test_the_trigger_retires_ratings_when_a_rating_is_written(rated):
    """Whatever else a live review's edit retires (reviews/migrations/0018),
    ``ratings`` goes with a new rating only."""
    rows = ReviewPage.objects.filter(pk=rated.pk)
    assert cache_tags.RATINGS not in _moved_by(lambda: rows.update(summary="Again."))
    assert cache_tags.RATINGS not in _moved_by(lambda: rows.update(rating=2))
    assert cache_tags.RATINGS in _moved_by(lambda: rows.update(rating=3.5))
    assert cache_tags.RATINGS in _moved_by(lambda: rows.update(rating=None))


def test_a_rating_taken_away_shows_at_once(client, rated):
    edited = ReviewPage.objects.get(pk=rated.pk)
    edited.rating = None
    edited.save_revision().publish()
    assert _ratings(client) == {"Alpha": 4.0}


def test_a_new_review_counts_in_the_book_list(client, rated):
    make_review(book=rated.book, rating=5)
    response = client.get(BOOKS).json()["items"][0]
    assert (response["review_count"], response["average_rating"]) == (3, 3.67)


def test_an_unpublished_review_leaves_the_book_list(client, rated):
    ReviewPage.objects.get(pk=rated.pk).unpublish()
    response = client.get(BOOKS).json()["items"][0]
    assert (response["review_count"], response["average_rating"]) == (1, 4.0)


@pytest.fixture
def announced():
    """The tags each committed change announces to the edge caches."""
    seen: list[frozenset[str]] = []

    def receiver(sender=None, tags=frozenset(), **kwargs) -> None:
        seen.append(frozenset(tags))

    tags_retired.connect(receiver, dispatch_uid="test_book_ratings")
    yield seen
    tags_retired.disconnect(dispatch_uid="test_book_ratings")


def test_the_edge_is_told_when_a_publish_changes_a_rating(
    rated, announced, django_capture_on_commit_callbacks
):
    """A publish purges the edge on commit with the tags it retired: the
    book list's copy at the edge goes when a rating changed, and stays when
    none did."""
    edited = ReviewPage.objects.get(pk=rated.pk)
    edited.summary = "Said better."
    with django_capture_on_commit_callbacks(execute=True):
        edited.save_revision().publish()
    assert announced and not any(cache_tags.RATINGS in tags for tags in announced)

    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _publish_a_new_rating(rated)
    assert any(cache_tags.RATINGS in tags for tags in announced)
