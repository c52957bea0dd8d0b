"""What rendering a page costs in SQL when no shared copy exists: a fixed
number of queries, whatever the page shows."""

from __future__ import annotations

import pytest

from tests.api.helpers import count_queries, full_review, image_block
from tests.factories import (
    BookFactory,
    make_discussion,
    make_image,
    make_review,
    make_series,
    paragraph,
    site_root,
    spoiler,
)

pytestmark = pytest.mark.django_db

#: Twelve, plus the one indexed read of the cache tags' versions that every
#: request pays to honour another process's change (reviews/response_cache/store.py).
REVIEW_PAGE_MAX_QUERIES = 13


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    """These count what building a page costs, so the page cache stays out."""
    settings.BOOKCLUB_PAGE_CACHE = False


def _warm_count(client, url: str) -> int:
    count_queries(client, url)  # renditions get made once
    queries, _ = count_queries(client, url)
    return queries


def test_a_full_review_page_costs_at_most_thirteen_queries(client):
    page = full_review(1)
    assert _warm_count(client, page.url) <= REVIEW_PAGE_MAX_QUERIES


def test_a_review_page_costs_the_same_with_more_spoilers_and_images(client):
    def review_with(n: int):
        book = BookFactory(cover=make_image("Cover"))
        body = [paragraph("Open.")]
        for i in range(n):
            earlier = BookFactory(title=f"Earlier {i}")
            make_series(f"Saga {n}-{i}", [(earlier, 1)])
            body += [
                image_block(make_image(f"Photo {i}")),
                spoiler(earlier, None, f"Ending {i}", "It ends."),
                spoiler(book, i + 1, f"Chapter {i}", "Then."),
            ]
        review = make_review(book=book, body=body)
        review.tags.add(*[f"tag{n}-{i}" for i in range(n)])
        review.save_revision().publish()
        return review

    small, large = review_with(1), review_with(4)
    assert _warm_count(client, small.url) == _warm_count(client, large.url)


@pytest.mark.parametrize("reviews", [(2, 7)])
def test_the_home_page_costs_the_same_with_more_reviews(client, reviews):
    few, many = reviews
    for n in range(few):
        full_review(n)
    with_few = _warm_count(client, site_root().url)
    for n in range(few, many):
        full_review(n)
    assert _warm_count(client, site_root().url) == with_few
    # The cards' spoiler badges name the spoiled books: one query for their
    # titles, whatever the number of cards.
    assert with_few <= 11


def test_the_review_index_costs_the_same_with_more_reviews(client):
    first = full_review(0)
    index_url = first.get_parent().url
    with_one = _warm_count(client, index_url)
    for n in range(1, 6):
        full_review(n)
    assert _warm_count(client, index_url) == with_one


def test_a_series_page_costs_the_same_with_more_books(client):
    def series_of(n: int):
        books = [BookFactory(cover=make_image(f"Cover {i}")) for i in range(n)]
        for book in books:
            make_review(book=book)
        return make_series(f"Series of {n}", [(b, i + 1) for i, b in enumerate(books)])

    assert _warm_count(client, series_of(1).url) == _warm_count(
        client, series_of(4).url
    )


def test_the_discussion_index_costs_the_same_with_more_meetings(client):
    first = make_discussion()
    index_url = first.get_parent().url
    with_one = _warm_count(client, index_url)
    for _ in range(4):
        make_discussion(book=BookFactory(cover=make_image("Cover")))
    assert _warm_count(client, index_url) == with_one


def test_the_feed_costs_the_same_with_more_reviews(client):
    full_review(0)
    with_one = _warm_count(client, "/feeds/reviews/")
    for n in range(1, 5):
        full_review(n)
    assert _warm_count(client, "/feeds/reviews/") == with_one
