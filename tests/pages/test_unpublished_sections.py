"""A section an editor unpublishes takes what is below it off every listing.

Wagtail unpublishes an index page without its children unless asked, and
still routes to a live page below an unpublished one, so the review, the
discussion and the series below stay served at their own addresses. But an
editor who unpublishes a section takes it away from readers: nothing that
lists pages may name what lies below it (reviews.visibility.reachable_pages)
— not the API's lists and searches, the site search, the book and series
pages, the club's numbers, the home page, the calendar or the sitemap, for a
visitor or a member. The review listings and the feed did this already.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from reviews.indexing import add_and_publish
from reviews.models import (
    DiscussionIndexPage,
    DiscussionPage,
    ReviewIndexPage,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
)
from tests.factories import (
    BookFactory,
    UserFactory,
    make_discussion,
    make_review,
    make_series,
    site_root,
)

pytestmark = pytest.mark.django_db

#: Words that appear only in the pages below the sections.
REVIEW_WORD = "Quarantined"
DISCUSSION_WORD = "Mothballed"
SERIES_WORD = "Shelved"
WORDS = (REVIEW_WORD, DISCUSSION_WORD, SERIES_WORD)


def _index(model, slug: str) -> Page:
    index = model(title=slug.title(), slug=slug)
    site_root().add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def sections(db):
    """A review, a discussion and a series, each below an index of its own
    beside the site's usual ones, which also hold a public page of each
    kind so that no listing is empty. All of them are about one book."""
    book = BookFactory(title="The Lantern", slug="the-lantern")
    shown = make_review(
        book=book, title="Seen by everyone", slug="seen-by-everyone", rating=2
    )
    make_discussion(book=book, title="An open meeting")
    make_series("Lantern cycle", [(book, 1)])
    archive = _index(ReviewIndexPage, "archive")
    make_review(
        book=book,
        title=f"{REVIEW_WORD} thoughts",
        slug="quarantined-thoughts",
        summary=f"{REVIEW_WORD} summary.",
        rating=5,
        parent=archive,
    )
    old_meetings = _index(DiscussionIndexPage, "old-meetings")
    add_and_publish(
        old_meetings,
        DiscussionPage(
            title=f"{DISCUSSION_WORD} meeting",
            slug="mothballed-meeting",
            book=book,
            starts_at=timezone.now() + timedelta(days=3),
            location="The attic",
        ),
    )
    old_series = _index(SeriesIndexPage, "old-series")
    add_and_publish(
        old_series,
        SeriesPage(
            title=f"{SERIES_WORD} trilogy",
            slug="shelved-trilogy",
            author="Nobody",
            entries=[SeriesEntry(book=book, position=1)],
        ),
    )
    return {
        "book": book,
        "shown": shown,
        "indexes": [archive, old_meetings, old_series],
    }


def _unpublish(sections) -> None:
    for index in sections["indexes"]:
        index.specific.unpublish()


def _reader(kind: str) -> Client:
    client = Client()
    if kind == "member":
        client.force_login(UserFactory(username="reader"))
    return client


#: Every output that lists pages, and which of the three it lists.
LISTINGS = [
    ("/api/v2/pages/", WORDS),
    ("/api/v2/pages/?type=reviews.ReviewPage&fields=*", (REVIEW_WORD, SERIES_WORD)),
    ("/api/v2/pages/?type=reviews.DiscussionPage", (DISCUSSION_WORD,)),
    ("/api/v2/pages/?type=reviews.SeriesPage", (SERIES_WORD,)),
    (f"/api/v2/pages/?search={REVIEW_WORD}", (REVIEW_WORD,)),
    ("/api/v3/reviews/", (REVIEW_WORD, SERIES_WORD)),
    (f"/api/v3/reviews/?search={REVIEW_WORD}", (REVIEW_WORD,)),
    ("/api/v3/books/", (SERIES_WORD,)),
    ("/api/v3/discussions/", (DISCUSSION_WORD,)),
    ("/api/v3/series/", (SERIES_WORD,)),
    # The query is echoed in the search box: the result is the title.
    (f"/search/?q={REVIEW_WORD}", (f"{REVIEW_WORD} thoughts",)),
    # A review's page names its book's series.
    ("/reviews/seen-by-everyone/", (SERIES_WORD,)),
    ("/books/the-lantern/", (REVIEW_WORD, DISCUSSION_WORD, SERIES_WORD)),
    ("/", WORDS),
    ("/club/meetings.ics", (DISCUSSION_WORD,)),
    ("/feeds/reviews/", (REVIEW_WORD,)),
    ("/sitemap.xml", ("archive/quarantined", "mothballed-meeting", "shelved-trilogy")),
]


@pytest.mark.parametrize("kind", ["visitor", "member"])
@pytest.mark.parametrize(("url", "words"), LISTINGS, ids=[u for u, _ in LISTINGS])
def test_a_listing_names_what_is_below_a_published_section(sections, url, words, kind):
    """The control: with the sections published, each output lists them, so
    the test below can fail."""
    body = _reader(kind).get(url).content.decode()
    for word in words:
        assert word in body, (url, word)


@pytest.mark.parametrize("kind", ["visitor", "member"])
@pytest.mark.parametrize(("url", "words"), LISTINGS, ids=[u for u, _ in LISTINGS])
def test_no_listing_names_what_is_below_an_unpublished_section(
    sections, url, words, kind
):
    _unpublish(sections)
    response = _reader(kind).get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    for word in words:
        assert word not in body, (url, word)
    # The pages themselves are still served where they are: Wagtail routes
    # to them, and a reader who has the address has reached them.
    assert (
        "Seen by everyone" in _reader(kind).get(sections["shown"].url).content.decode()
    )


def test_the_pages_below_stay_served_at_their_addresses(sections, client):
    _unpublish(sections)
    for path in (
        "/archive/quarantined-thoughts/",
        "/old-meetings/mothballed-meeting/",
        "/old-series/shelved-trilogy/",
    ):
        assert client.get(path).status_code == 200, path


def test_the_book_counts_only_the_reviews_a_reader_can_reach(sections, client):
    """The book list's count and average rating, and the club's numbers,
    leave out the review below the unpublished archive."""
    [before] = [
        item
        for item in client.get("/api/v3/books/").json()["items"]
        if item["id"] == sections["book"].pk
    ]
    assert (before["review_count"], before["average_rating"]) == (2, 3.5)
    reviews_before = client.get("/club/stats/").context["numbers"].review_count

    _unpublish(sections)

    [after] = [
        item
        for item in client.get("/api/v3/books/").json()["items"]
        if item["id"] == sections["book"].pk
    ]
    assert (after["review_count"], after["average_rating"]) == (1, 2.0)
    numbers = client.get("/club/stats/").context["numbers"]
    assert numbers.review_count == reviews_before - 1


def test_a_series_page_lists_only_the_reviews_a_reader_can_reach(sections, client):
    """The series page shows each book's public reviews."""
    cycle = SeriesPage.objects.get(slug="lantern-cycle")
    assert REVIEW_WORD in client.get(cycle.url).content.decode()

    _unpublish(sections)

    body = client.get(cycle.url).content.decode()
    assert REVIEW_WORD not in body
    assert "Seen by everyone" in body
