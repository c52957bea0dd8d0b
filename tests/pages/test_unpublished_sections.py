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
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction, Site

from reviews.indexing import add_and_publish
from reviews.models import (
    DiscussionIndexPage,
    DiscussionPage,
    ReviewIndexPage,
    ReviewPage,
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
    user_in,
)
from tests.factories.tokens import token_client
from tests.fixtures.database import built_once, fresh

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


@pytest.fixture(scope="module")
def built_sections(django_db_setup, django_db_blocker):
    """A review, a discussion and a series, each below an index of its own
    beside the site's usual ones, which also hold a public page of each
    kind so that no listing is empty. All of them are about one book. Built
    once for the module; what a test changes rolls back after it."""
    with built_once(django_db_blocker):
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
        yield {
            "book": book,
            "shown": shown,
            "indexes": [archive, old_meetings, old_series],
        }


@pytest.fixture
def sections(built_sections):
    """Fresh copies of the module's rows for one test."""
    return {
        "book": fresh(built_sections["book"]),
        "shown": fresh(built_sections["shown"]),
        "indexes": [fresh(index) for index in built_sections["indexes"]],
    }


def _unpublish(sections) -> None:
    """Each section's index unpublished alone (Wagtail's default), read
    afresh: a test may have moved it."""
    for index in sections["indexes"]:
        Page.objects.get(pk=index.pk).specific.unpublish()


def _reader(kind: str) -> Client:
    """A visitor, a member signed in, or a member's API token (which the
    HTML pages ignore)."""
    if kind == "token":
        return token_client(UserFactory(username="app"))
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
    ("/api/v3/pages/", WORDS),
    ("/api/v3/pages/?type=reviews.ReviewPage", (REVIEW_WORD,)),
    (f"/api/v3/pages/?search={REVIEW_WORD}", (REVIEW_WORD,)),
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


@pytest.mark.parametrize("kind", ["visitor", "member", "token"])
@pytest.mark.parametrize(("url", "words"), LISTINGS, ids=[u for u, _ in LISTINGS])
def test_a_listing_names_what_is_below_a_published_section(sections, url, words, kind):
    """The control: with the sections published, each output lists them, so
    the test below can fail."""
    body = _reader(kind).get(url).content.decode()
    for word in words:
        assert word in body, (url, word)


@pytest.mark.parametrize("kind", ["visitor", "member", "token"])
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


def test_the_pages_below_stay_served_at_their_addresses_and_ids(sections, client):
    _unpublish(sections)
    for path in (
        "/archive/quarantined-thoughts/",
        "/old-meetings/mothballed-meeting/",
        "/old-series/shelved-trilogy/",
    ):
        assert client.get(path).status_code == 200, path
    review = ReviewPage.objects.get(slug="quarantined-thoughts")
    for detail in (
        f"/api/v2/pages/{review.pk}/",
        f"/api/v3/pages/{review.pk}/",
        f"/api/v3/reviews/{review.pk}/",
    ):
        assert client.get(detail).status_code == 200, detail
    found = client.get(f"/api/v2/pages/find/?html_path={review.url}")
    assert found.status_code == 302
    assert f"/api/v2/pages/{review.pk}/" in found["Location"]


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


def test_sections_below_an_unpublished_plain_page_leave_the_navigation_and_indexes(
    sections, client
):
    """A plain page holding the sections, unpublished alone: the indexes
    below it stay served at their addresses, but the navigation no longer
    names them and they list none of their children."""
    club = Page(title="Old club", slug="old-club")
    site_root().add_child(instance=club)
    club.save_revision().publish()
    for index in sections["indexes"]:
        index.specific.move(club, pos="last-child")
    club = Page.objects.get(pk=club.pk)
    home = client.get("/").content.decode()
    assert 'href="/old-club/' in home
    assert SERIES_WORD in client.get("/old-club/old-series/").content.decode()
    assert DISCUSSION_WORD in client.get("/old-club/old-meetings/").content.decode()

    club.unpublish()

    assert 'href="/old-club/' not in client.get("/").content.decode()
    for path, word in (
        ("/old-club/old-series/", SERIES_WORD),
        ("/old-club/old-meetings/", DISCUSSION_WORD),
        ("/old-club/archive/", REVIEW_WORD),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert word not in response.content.decode(), path


def test_an_unpublished_page_above_the_sites_root_hides_nothing(sections, client):
    """Wagtail serves a site whatever lies above its root page: a folder
    holding the site's tree, unpublished, takes nothing away from readers
    (its own site root unpublished would: test above)."""
    site = Site.objects.get(is_default_site=True)
    folder = Page(title="Folder", slug="folder")
    Page.get_first_root_node().add_child(instance=folder)
    folder.save_revision().publish()
    Page.objects.get(pk=site.root_page_id).move(folder, pos="last-child")
    Page.objects.get(pk=folder.pk).unpublish()

    assert "Seen by everyone" in client.get("/api/v3/reviews/").content.decode()
    assert "seen-by-everyone" in client.get("/sitemap.xml").content.decode()
    assert "Seen by everyone" in client.get("/").content.decode()
    _unpublish(sections)
    body = client.get("/api/v3/reviews/").content.decode()
    assert "Seen by everyone" in body
    assert REVIEW_WORD not in body


def test_a_section_holding_another_sites_root_hides_only_the_rest_of_itself(
    sections, client, settings
):
    """An unpublished section of this site that also holds another Site's
    root: that site is served whatever lies above its root, so its tree
    stays listed (on its own host too); the rest of the section is hidden."""
    club = Page(title="Club B", slug="club-b")
    site_root().add_child(instance=club)
    club.save_revision().publish()
    hidden_index = _index(ReviewIndexPage, "club-b-reviews")
    hidden_index.move(Page.objects.get(pk=club.pk), pos="last-child")
    make_review(
        book=sections["book"],
        title="Xenoreview",
        slug="xeno",
        parent=Page.objects.get(pk=hidden_index.pk),
    )
    other_root = _index(ReviewIndexPage, "site-a")
    other_root.move(Page.objects.get(pk=club.pk), pos="last-child")
    make_review(
        book=sections["book"],
        title="Alphareview",
        slug="alpha",
        parent=Page.objects.get(pk=other_root.pk),
    )
    Site.objects.create(hostname="a.example", port=80, root_page_id=other_root.pk)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "a.example"]

    Page.objects.get(pk=club.pk).unpublish()

    for url in (
        "/api/v3/reviews/",
        "/api/v2/pages/",
        "/sitemap.xml",
        "/",
        "/feeds/reviews/",
    ):
        body = client.get(url).content.decode()
        assert "Xeno" not in body and "xeno" not in body, url
    assert "Alphareview" in client.get("/api/v3/reviews/").content.decode()
    on_a = client.get("/sitemap.xml", HTTP_HOST="a.example").content.decode()
    assert "alpha" in on_a


def test_the_admin_dashboard_names_no_meeting_below_an_unpublished_section(
    sections, client, editor
):
    client.force_login(editor)
    assert DISCUSSION_WORD in client.get("/admin/").content.decode()

    _unpublish(sections)

    body = client.get("/admin/").content.decode()
    assert DISCUSSION_WORD not in body
    assert "An open meeting" in body


def test_api_v3_lists_no_redirect_to_a_page_below_an_unpublished_section(
    sections, client
):
    """Found by its path, the redirect still leads to the page, which is
    served at its address."""
    review = ReviewPage.objects.get(slug="quarantined-thoughts")
    redirect = Redirect.objects.create(
        old_path="/old-quarantined", redirect_page=review
    )
    assert "/old-quarantined" in client.get("/api/v3/redirects/").content.decode()

    _unpublish(sections)

    assert "/old-quarantined" not in client.get("/api/v3/redirects/").content.decode()
    assert client.get(f"/api/v3/redirects/{redirect.pk}/").status_code == 200


@pytest.mark.parametrize(
    "listing",
    [
        "/api/v3/reviews/?series={id}",
        "/api/v3/books/?series={id}",
        "/api/v2/pages/?type=reviews.ReviewPage&series={id}",
    ],
)
def test_a_series_below_an_unpublished_section_filters_as_an_unknown_one(
    sections, client, listing
):
    """The review index's form already refused it ('Select a valid
    choice'); the APIs still filtered by it, and named nothing of it but
    its books. Now every one answers as for a series that does not exist."""
    series = SeriesPage.objects.get(slug="shelved-trilogy")
    assert client.get(listing.format(id=series.pk)).status_code == 200
    _unpublish(sections)

    hidden = client.get(listing.format(id=series.pk))
    missing = client.get(listing.format(id=999_999))

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["detail"].replace(str(series.pk), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")


def _v3_meta(client: Client, page: Page) -> dict:
    response = client.get(f"/api/v3/pages/{page.pk}/")
    assert response.status_code == 200
    return response.json()["meta"]


@pytest.mark.parametrize("kind", ["visitor", "member", "token"])
def test_a_lookup_below_an_unpublished_section_does_not_name_it(sections, kind):
    """Wagtail's v3 page detail carried ``meta.parent`` whatever the parent:
    the id, title and address of the unpublished index the review sits
    below. A reader who may not read that index now gets no parent, as
    API v2 gives none; the review itself is still served."""
    archive = Page.objects.get(slug="archive")
    review = ReviewPage.objects.get(slug="quarantined-thoughts")
    reader = _reader(kind)
    assert _v3_meta(reader, review)["parent"]["id"] == archive.pk

    Page.objects.filter(pk=archive.pk).update(draft_title="Unannounced shelf")
    archive.specific.unpublish()

    meta = _v3_meta(_reader(kind), review)
    assert meta["parent"] is None
    raw = _reader(kind).get(f"/api/v3/pages/{review.pk}/").content.decode()
    assert "Archive" not in raw
    assert "Unannounced shelf" not in raw
    # API v2's detail already named no such parent.
    assert (
        _reader(kind).get(f"/api/v2/pages/{review.pk}/").json()["meta"]["parent"]
        is None
    )


def test_an_editors_token_still_names_the_unpublished_section(sections):
    """An editor may edit the index, so her token reads it, and its
    children name it: the control that shows the rule looks at the reader."""
    archive = Page.objects.get(slug="archive")
    review = ReviewPage.objects.get(slug="quarantined-thoughts")
    archive.specific.unpublish()
    editor = token_client(user_in(Group.objects.get(name="Editors"), "edie"))

    assert _v3_meta(editor, review)["parent"]["id"] == archive.pk


@pytest.mark.parametrize("kind", ["visitor", "member", "token"])
def test_an_alias_does_not_name_its_original_under_a_restriction(sections, kind):
    """A reader gets a live public alias of a page that now sits under a
    password restriction elsewhere: neither API's ``meta.alias_of`` names
    the original (Wagtail's named its id, title and address)."""
    archive = Page.objects.get(slug="archive")
    review = ReviewPage.objects.get(slug="quarantined-thoughts")
    alias = review.create_alias(parent=site_root(), update_slug="alias-of-thoughts")
    PageViewRestriction.objects.create(
        page=archive, restriction_type="password", password="sesame"
    )
    reader = _reader(kind)

    for detail in (f"/api/v3/pages/{alias.pk}/", f"/api/v2/pages/{alias.pk}/"):
        response = reader.get(detail)
        assert response.json()["meta"]["alias_of"] is None, detail
        assert "/archive/" not in response.content.decode(), detail


def test_an_alias_names_its_readable_original(sections, client):
    """The control: with no restriction, both APIs name the original."""
    review = ReviewPage.objects.get(slug="quarantined-thoughts")
    alias = review.create_alias(parent=site_root(), update_slug="alias-of-thoughts")
    for detail in (f"/api/v3/pages/{alias.pk}/", f"/api/v2/pages/{alias.pk}/"):
        assert client.get(detail).json()["meta"]["alias_of"]["id"] == review.pk


@pytest.mark.parametrize("kind", ["visitor", "member", "token"])
def test_a_listed_alias_does_not_name_an_original_below_an_unpublished_section(
    sections, kind
):
    """The alias is live, public and listed; its original is served only at
    its own address. A field of a listed page is a listing's: it names no
    page that no listing may name (the original's id, and its address with
    the unpublished index's slug)."""
    archive = Page.objects.get(slug="archive")
    review = ReviewPage.objects.get(slug="quarantined-thoughts")
    alias = review.create_alias(parent=site_root(), update_slug="alias-of-thoughts")
    archive.specific.unpublish()
    reader = _reader(kind)

    for detail in (f"/api/v3/pages/{alias.pk}/", f"/api/v2/pages/{alias.pk}/"):
        response = reader.get(detail)
        assert response.json()["meta"]["alias_of"] is None, detail
        assert "/archive/" not in response.content.decode(), detail
        assert f"/pages/{review.pk}/" not in response.content.decode(), detail


@pytest.mark.parametrize("kind", ["visitor", "member", "token"])
def test_a_lookup_deeper_below_an_unpublished_section_names_no_parent(sections, kind):
    """A review two levels below the unpublished archive: its parent is
    live, but no listing may name it either."""
    archive = Page.objects.get(slug="archive")
    shelf = ReviewIndexPage(title="Inner shelf", slug="inner-shelf")
    archive.add_child(instance=shelf)
    shelf.save_revision().publish()
    deep = make_review(
        book=sections["book"], title="Deep down", slug="deep-down", parent=shelf
    )
    reader = _reader(kind)
    assert _v3_meta(reader, deep)["parent"]["id"] == shelf.pk
    archive.specific.unpublish()

    for detail in (f"/api/v3/pages/{deep.pk}/", f"/api/v2/pages/{deep.pk}/"):
        response = _reader(kind).get(detail)
        assert response.status_code == 200, detail
        assert response.json()["meta"]["parent"] is None, detail
        assert "Inner shelf" not in response.content.decode(), detail
