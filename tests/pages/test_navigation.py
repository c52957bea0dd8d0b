"""The main navigation: the club's sections under the site being read,
worked out once per content version and still right after any change."""

from __future__ import annotations

import re

import pytest
from wagtail.models import Page, PageViewRestriction, Site

from reviews.models import ReviewIndexPage
from tests.factories import discussion_index, review_index, series_index

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    """The navigation is what is tested, not the page cache."""
    settings.BOOKCLUB_PAGE_CACHE = False


def _nav(client, path: str = "/search/", **kwargs) -> list[tuple[str, str]]:
    html = client.get(path, **kwargs).content.decode()
    nav = html[html.index('aria-label="Main"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)


NOT_SECTIONS = {"Books", "Search", "Log in", "My reading", "Next book"}


def _sections(client, path: str = "/search/", **kwargs) -> list[tuple[str, str]]:
    return [
        link for link in _nav(client, path, **kwargs) if link[1] not in NOT_SECTIONS
    ]


def test_the_navigation_lists_the_sections_in_tree_order(client):
    reviews, series, discussions = review_index(), series_index(), discussion_index()
    in_order = sorted([reviews, series, discussions], key=lambda page: page.path)
    expected = [(page.url, page.title) for page in in_order]
    assert _sections(client) == expected
    assert _sections(client, reviews.url) == expected


def test_a_renamed_section_shows_its_new_title_at_once(client):
    reviews = review_index()
    assert ("/reviews/", "Reviews") in _sections(client)
    reviews.title = "What we read"
    reviews.save_revision().publish()
    assert ("/reviews/", "What we read") in _sections(client)


def test_a_restricted_or_unpublished_section_leaves_the_navigation(client):
    reviews, series = review_index(), series_index()
    assert {title for _, title in _sections(client)} == {"Reviews", "Series"}
    PageViewRestriction.objects.create(
        page=reviews, restriction_type=PageViewRestriction.LOGIN
    )
    assert {title for _, title in _sections(client)} == {"Series"}
    series.unpublish()
    assert _sections(client) == []


def test_each_site_shows_its_own_sections(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    review_index()
    root = Page.get_first_root_node()
    other_home = root.add_child(instance=Page(title="Other club", slug="other-club"))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    other_home.add_child(
        instance=ReviewIndexPage(title="Their reviews", slug="their-reviews")
    )
    assert [title for _, title in _sections(client)] == ["Reviews"]
    assert [title for _, title in _sections(client, HTTP_HOST="other.example")] == [
        "Their reviews"
    ]


def test_the_navigation_costs_no_query_once_worked_out(
    client, django_assert_num_queries
):
    review_index()
    series_index()
    client.get("/search/")
    # The content version the navigation (and the request's Site) is kept
    # under, read from the database once per request.
    with django_assert_num_queries(1):
        client.get("/search/")


def test_the_next_book_round_is_in_the_navigation_of_every_page(client):
    review_index()
    for path in ("/", "/search/", "/reviews/"):
        assert ("/club/next-book/", "Next book") in _nav(client, path)


def test_the_home_page_points_to_the_open_round(client):
    from tests.factories import NominationRoundFactory

    html = client.get("/").content.decode()
    assert "No round is open right now." in html
    round_ = NominationRoundFactory(title="Our book for the winter")
    html = client.get("/").content.decode()
    assert f'<a href="/club/next-book/{round_.pk}/">Our book for the winter</a>' in html
    assert "nominate a book and vote until" in html
