"""A review published with another book leaves the book it was about: that
book's count of reviews and average rating, kept by every cache, change too."""

from __future__ import annotations

import pytest

from tests.factories import BookFactory, make_review

pytestmark = pytest.mark.django_db


def test_the_book_a_review_leaves_is_shown_without_it_at_once(client):
    before = BookFactory(title="The Book It Was About")
    after = BookFactory(title="The Book It Is About")
    review = make_review(book=before, rating=5)
    path = f"/api/v3/books/{before.pk}/"
    assert client.get(path).json()["review_count"] == 1
    assert client.get(path).json()["review_count"] == 1, "kept and served"

    review.book = after
    review.save_revision().publish()

    left = client.get(path).json()
    assert left["review_count"] == 0
    assert left["average_rating"] is None
    assert client.get(f"/api/v3/books/{after.pk}/").json()["review_count"] == 1
