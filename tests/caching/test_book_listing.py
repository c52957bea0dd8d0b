"""The v3 book listing shows each listed book's reviews' count and average
rating: a publish about one of its books shows there at once, and a publish
about any other book leaves the kept listing (most publishes are about books
a page of the catalogue does not list)."""

from __future__ import annotations

import pytest

from tests.cache_queries import served_from_cache
from tests.factories import BookFactory, make_review

pytestmark = pytest.mark.django_db

LISTING = "/api/v3/books/?limit=2"


def _ratings(client) -> dict[str, tuple[int, float | None]]:
    response = client.get(LISTING)
    assert response.status_code == 200, response.content
    return {
        item["title"]: (item["review_count"], item["average_rating"])
        for item in response.json()["items"]
    }


def test_a_publish_about_a_listed_book_shows_at_once_and_another_leaves_it(
    client, monkeypatch
):
    listed = BookFactory(title="A Listed Book")
    BookFactory(title="B Listed Book")
    unlisted = BookFactory(title="Z Unlisted Book")
    review = make_review(book=listed, rating=4)
    other = make_review(book=unlisted, rating=2)
    assert _ratings(client)["A Listed Book"] == (1, 4.0)

    other.rating = 5
    other.save_revision().publish()
    assert served_from_cache(client, monkeypatch, LISTING)

    review.rating = 2
    review.save_revision().publish()
    assert _ratings(client)["A Listed Book"] == (1, 2.0)

    review.unpublish()
    assert _ratings(client)["A Listed Book"] == (0, None)

    other.book = listed
    other.save_revision().publish()
    assert _ratings(client)["A Listed Book"] == (1, 5.0)


def test_a_new_book_and_a_renamed_one_show_at_once(client):
    BookFactory(title="B Listed Book")
    last = BookFactory(title="C Listed Book")
    assert list(_ratings(client)) == ["B Listed Book", "C Listed Book"]

    BookFactory(title="A New Book")
    assert list(_ratings(client)) == ["A New Book", "B Listed Book"]

    last.title = "0 Renamed"
    last.save()
    assert list(_ratings(client)) == ["0 Renamed", "A New Book"]


def test_the_listing_is_tagged_for_the_edge_with_its_books(client):
    first, second = BookFactory(title="A Book"), BookFactory(title="B Book")
    BookFactory(title="C Book")
    keys = client.get(LISTING)["Surrogate-Key"].split()
    assert {f"book-{first.pk}", f"book-{second.pk}", "books", "series"} <= set(keys)
    assert "reviews" not in keys
