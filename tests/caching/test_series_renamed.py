"""A series renamed: every answer that names it, through the summary of one
of its books, names it anew at once. (The discussion answers do not depend on
the series tag: a publish saves the series' entries again, which retires the
books.)"""

from __future__ import annotations

import pytest

from tests.factories import BookFactory, make_discussion, make_review, make_series

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/api/v3/discussions/{discussion}/",
        "/api/v3/discussions/",
        "/api/v3/reviews/{review}/",
        "/api/v3/reviews/",
        "/api/v3/books/{book}/",
        "/api/v3/books/",
        "{review_url}",
    ],
)
def test_a_renamed_series_is_named_anew_wherever_its_books_are(client, address):
    book = BookFactory(title="The Siege")
    discussion = make_discussion(book=book)
    review = make_review(book=book)
    series = make_series("The Leningrad Books", [(book, 1)])
    path = address.format(
        discussion=discussion.pk,
        review=review.pk,
        review_url=review.url,
        book=book.pk,
    )
    assert "The Leningrad Books" in client.get(path).content.decode()
    assert "The Leningrad Books" in client.get(path).content.decode()

    series.title = "The Anna Levin Books"
    series.save_revision().publish()

    answer = client.get(path).content.decode()
    assert "The Leningrad Books" not in answer
    assert "The Anna Levin Books" in answer
