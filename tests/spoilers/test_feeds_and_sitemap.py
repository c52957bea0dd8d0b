"""Feeds and the sitemap: summary only, whoever asks."""

import xml.etree.ElementTree as ET

import pytest
from wagtail.models import Page

from reviews.models import ReviewIndexPage
from tests.factories import make_review, site_root

from .conftest import shared_review
from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, OPEN_WORD

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()

DC = "{http://purl.org/dc/elements/1.1/}"


def test_feed_items_carry_title_link_reviewer_rating_and_summary(
    client, review, member
):
    review.reviewer = member
    review.save_revision().publish()
    response = client.get("/feeds/reviews/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    # Our own feed, parsed in a test.
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314
    [item] = channel.findall("item")
    assert item.findtext("title") == "The Betrayal: After the siege — 4.5/5"
    assert item.findtext("link") == review.full_url
    assert item.findtext(f"{DC}creator") == "Alice Marsh"
    assert item.findtext("description") == (
        "Quieter than the first book, and more frightening."
    )


@pytest.mark.parametrize(
    "params", [{}, {"spoilers": "show"}, {"read": "SIEGE,BETRAYAL"}]
)
def test_feed_never_carries_body_text_even_when_asked(
    client, review, siege, betrayal, params
):
    params = {
        key: value.replace("SIEGE", str(siege.pk)).replace("BETRAYAL", str(betrayal.pk))
        for key, value in params.items()
    }
    body = client.get("/feeds/reviews/", params).content.decode()
    for text in (MARKER, LATER_MARKER, ENDING_MARKER, OPEN_WORD):
        assert text not in body


def test_feed_leaves_out_drafts(client, review, betrayal):
    make_review(book=betrayal, title="Not yet published", live=False)
    body = client.get("/feeds/reviews/").content.decode()
    assert "After the siege" in body
    assert "Not yet published" not in body


def test_sitemap_lists_the_review_and_nothing_of_its_body(client, review):
    response = client.get("/sitemap.xml")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"<loc>{review.full_url}</loc>" in body
    for text in (MARKER, LATER_MARKER, ENDING_MARKER, OPEN_WORD):
        assert text not in body


def _review_index(parent: Page, slug: str) -> ReviewIndexPage:
    index = ReviewIndexPage(title=slug.title(), slug=slug)
    parent.add_child(instance=index)
    index.save_revision().publish()
    return index


def test_feed_leaves_out_a_review_below_an_unpublished_index(client, review, betrayal):
    """An editor who unpublishes a section takes what is below it away from
    readers: nothing listed may name it (reviews.visibility.reachable_pages),
    as the review listings already do; back when it is published again.
    Written without signals: tests/caching/test_writes_without_signals.py."""
    archive = _review_index(site_root(), "archive")
    make_review(book=betrayal, title="Below the archive", parent=archive)
    assert "Below the archive" in client.get("/feeds/reviews/").content.decode()

    archive.unpublish()

    body = client.get("/feeds/reviews/").content.decode()
    assert "Below the archive" not in body
    assert "After the siege" in body

    archive.save_revision().publish()
    assert "Below the archive" in client.get("/feeds/reviews/").content.decode()


def test_feed_leaves_out_a_review_no_site_serves(client, review, betrayal):
    """A live review in a page tree no Site covers has no address: the feed
    leaves it out rather than failing."""
    elsewhere = _review_index(Page.get_first_root_node(), "elsewhere")
    make_review(book=betrayal, title="Nowhere to be read", parent=elsewhere)

    response = client.get("/feeds/reviews/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Nowhere to be read" not in body
    assert "After the siege" in body
