"""Which reviews a home or index page lists, and the version that retires
what was derived from them."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from reviews import cache_tags
from reviews.content_version import content_version
from reviews.invalidation import retire, tags_retired
from reviews.models import ReviewIndexPage
from reviews.models.reviews import public_reviews_under
from tests.factories import make_review, review_index, site_root

pytestmark = pytest.mark.django_db


def _outside_index() -> ReviewIndexPage:
    """A review index beside the home page (another site's, say)."""
    index = ReviewIndexPage(title="Elsewhere", slug="elsewhere")
    Page.get_first_root_node().add_child(instance=index)
    index.save_revision().publish()
    return index


def test_a_home_page_lists_only_its_own_reviews(client, book):
    mine = make_review(book=book, title="Ours")
    assert list(public_reviews_under(site_root())) == [mine]
    theirs = make_review(book=book, title="Theirs", parent=_outside_index())
    home_reviews = list(public_reviews_under(site_root()))
    assert home_reviews == [mine]
    assert theirs not in home_reviews
    html = client.get(site_root().url).content.decode()
    assert "Ours" in html
    assert "Theirs" not in html


def test_an_index_lists_only_its_own_reviews(book):
    mine = make_review(book=book, title="Ours")
    theirs = make_review(book=book, title="Theirs", parent=_outside_index())
    assert list(public_reviews_under(review_index())) == [mine]
    assert list(public_reviews_under(theirs.get_parent())) == [theirs]


def test_a_change_moves_the_version_on_and_tells_the_edge_when_it_commits(
    django_capture_on_commit_callbacks,
):
    before = content_version()
    announced = []

    def listen(sender, tags, **kwargs):
        announced.append(tags)

    tags_retired.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            retire({cache_tags.page(7)})
            during = content_version()
            assert announced == [], "nothing is purged before the commit"
    finally:
        tags_retired.disconnect(listen)
    assert during != before
    assert announced == [frozenset({cache_tags.page(7), cache_tags.ALL})]
