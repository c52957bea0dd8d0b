"""A book's average rating reads the same wherever it is shown.

The book's page, its series' page and ``/books/`` give the average to one
decimal with stars rounded to the nearest half star (a 3.8 is four stars,
not three and a half), count the rated reviews it comes from the same way,
and API v3 gives the same average to two decimals. A review's own rating
shows its half star.
"""

from __future__ import annotations

import re

import pytest

from tests.factories import BookFactory, make_review, make_series, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def siege():
    book = BookFactory(title="The Siege")
    make_review(book=book, rating=3.5)
    make_review(book=book, rating=4.0)
    make_review(book=book, rating=4.0)  # 3.83…
    make_review(book=book, rating=None, title="Unrated")
    make_review(book=book, rating=1.0, live=False, title="A draft's rating")
    return book


def _text(html: str) -> str:
    return " ".join(html.split())


def _book_line(html: str, book) -> str:
    """The part of a listing about ``book``."""
    start = html.index(f'href="{book.get_absolute_url()}"')
    return html[start:].split("</li>", 1)[0]


AVERAGE = '<span class="rating" aria-hidden="true">★★★★</span> 3.8 out of 5'


def test_the_book_page(client, siege):
    html = _text(client.get(siege.get_absolute_url()).content.decode())
    assert f"{AVERAGE}, from 3 rated reviews." in html


def test_the_series_page(client, siege):
    series = make_series("Leningrad", [(siege, 1)])
    html = _text(client.get(series.url).content.decode())
    assert f"{AVERAGE}, from 3 rated reviews" in _book_line(html, siege)


def test_the_book_list(client, siege):
    html = _text(client.get("/books/").content.decode())
    line = _book_line(html, siege)
    assert f"4 reviews, {AVERAGE} on average." in line


def test_api_v3_gives_the_same_average(client, siege, member):
    for api in (client, token_client(member)):
        item = api.get(f"/api/v3/books/{siege.pk}/").json()
        assert (item["review_count"], item["average_rating"]) == (4, 3.83)


@pytest.mark.parametrize(
    ("ratings", "stars", "number"),
    [
        ([3.0, 3.5], "★★★½", "3.3"),  # 3.25: halves round up, as the number does
        ([4.5, 5.0, 5.0], "★★★★★", "4.8"),  # 4.83
        ([3.0, 3.0, 3.5], "★★★", "3.2"),  # 3.17
        ([1.0], "★", "1.0"),
    ],
)
def test_stars_round_to_the_nearest_half(client, ratings, stars, number):
    book = BookFactory()
    for rating in ratings:
        make_review(book=book, rating=rating)
    html = _text(client.get(book.get_absolute_url()).content.decode())
    average = re.search(r'<p class="book__average">(.*?)</p>', html).group(1)
    assert average.startswith(
        f'<span class="rating" aria-hidden="true">{stars}</span> {number} out of 5'
    )


def test_a_reviews_own_rating_keeps_its_half_star(client):
    review = make_review(book=BookFactory(title="Rated"), rating=3.5)
    label = '<span class="rating" role="img" aria-label="Rated 3.5 out of 5">★★★½'
    assert label in client.get(review.url).content.decode()
    assert label in client.get(review.get_parent().url).content.decode()
    feed = client.get("/feeds/reviews/").content.decode()
    assert "Rated: " in feed and "— 3.5/5" in feed
