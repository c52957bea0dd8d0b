"""A slug a sibling already has, in every API write a member makes.

A page's slug is unique among its siblings, and a sibling may be a page the
member may not see: another member's draft, a restricted page, an
unpublished one, whose slug and title can give a plot away. The answer was
a 400 naming the slug (and, for a copy, the parent), and Wagtail's page
create, whose slug made from the title never looked at the siblings, named
the hidden sibling's slug the member had not even sent. Now a taken slug is
"not available", the same answer whoever holds it; a write without a slug
gets a free one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from wagtail.models import Page

from reviews.models import Book, ReviewPage
from reviews.roles import MEMBERS
from tests.api.helpers import club_indexes, restrict
from tests.factories import (
    BookFactory,
    make_review,
    review_index,
    token_client,
    user_in,
)
from tests.fixtures.database import built_once
from tests.fixtures.people import built_groups

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("built")]

#: Each sibling's slug, which a member writes as theirs or makes from a
#: title, and a title the member never writes.
HIDDEN = {
    "draft": "bruno-dies-in-chapter-twelve",
    "restricted": "committee-votes-dora-out",
    "unpublished": "a-sequel-in-may",
}
HIDDEN_TITLE = "SIBLING-ONLY"
PUBLIC_SLUG = "an-open-review"


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    """The review index with four reviews: one public, and one of each kind
    the member may not see. Their ids, and the book's."""
    with built_once(django_db_blocker):
        club_indexes()
        book = BookFactory(title="The Siege")
        other = user_in(Group.objects.get(name=MEMBERS), "dora")
        draft = make_review(
            book=book,
            live=False,
            owner=other,
            slug=HIDDEN["draft"],
            title=f"{HIDDEN_TITLE} draft",
        )
        restricted = make_review(
            book=book, slug=HIDDEN["restricted"], title=f"{HIDDEN_TITLE} restricted"
        )
        restrict(restricted, to_group=True)
        unpublished = make_review(
            book=book, slug=HIDDEN["unpublished"], title=f"{HIDDEN_TITLE} unpublished"
        )
        unpublished.unpublish()
        make_review(book=book, slug=PUBLIC_SLUG, title="An open review")
        yield {
            "book": book.pk,
            "draft": draft.pk,
            "restricted": restricted.pk,
            "unpublished": unpublished.pk,
        }


#: Read back from what ``built`` made, not ensured again for each test.
groups = built_groups()


@pytest.fixture(params=sorted(HIDDEN))
def hidden(request, built: dict[str, int]) -> ReviewPage:
    """One sibling the member may not see."""
    return ReviewPage.objects.get(pk=built[request.param])


@pytest.fixture
def book(built: dict[str, int]) -> Book:
    return Book.objects.get(pk=built["book"])


@pytest.fixture
def api(club_member: User) -> Client:
    return token_client(club_member)


def _says_nothing_of(response, page: ReviewPage) -> None:
    """The raw answer holds nothing of ``page``: its slug, title, address or
    id."""
    raw = response.content.decode()
    assert page.slug not in raw, raw
    assert HIDDEN_TITLE not in raw, raw
    assert page.url_path not in raw, raw
    assert not re.search(rf"(?<![\w.]){page.pk}(?![\w.])", raw), raw


def _not_available(response, loc: list) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [(error["type"], error["loc"]) for error in errors] == [
        ("slug_not_available", loc)
    ], errors
    assert "not available" in errors[0]["msg"]


def _post(api: Client, url: str, data: dict):
    return api.post(url, data, content_type="application/json")


def _review(book: Book, **fields) -> dict:
    return {
        "title": "Cold and hunger",
        "book": book.pk,
        "summary": "A winter in the siege.",
        "body": [{"type": "paragraph", "value": "<p>Open text.</p>"}],
        "tags": [],
        **fields,
    }


def _page(book: Book, **fields) -> dict:
    return {
        "meta": {"type": "reviews.ReviewPage", "parent_id": review_index().pk},
        **_review(book, **fields),
    }


#: The two ways a member creates a review, and where each places an error
#: about the slug: the club's endpoint, and Wagtail's page create (Ninja's
#: location, the view's parameter first).
CREATES = {
    "club": ("/api/v3/reviews/", ["body", "slug"]),
    "wagtail": ("/api/v3/pages/", ["body", "data", "slug"]),
}


@pytest.fixture(params=sorted(CREATES))
def create(request, api, book) -> tuple[Callable, list]:
    """Send a new review to one endpoint, and where it places a slug's error."""
    url, loc = CREATES[request.param]
    fields = _page if url == "/api/v3/pages/" else _review

    def send(**sent):
        return _post(api, url, fields(book, **sent))

    return send, loc


def test_a_taken_slug_is_not_available(create, hidden):
    send, loc = create
    response = send(slug=hidden.slug)
    _not_available(response, loc)
    _says_nothing_of(response, hidden)
    # The same bytes as for a slug that a page the member sees has.
    assert response.content == send(slug=PUBLIC_SLUG).content
    assert ReviewPage.objects.filter(slug=hidden.slug).count() == 1


def test_without_a_slug_a_new_review_gets_a_free_one(create, hidden):
    """Wagtail's page create made the slug from the title without looking at
    the siblings, and its form then refused it, naming it."""
    send, _loc = create
    response = send(title=hidden.slug.replace("-", " ").capitalize())
    assert response.status_code == 201, response.content
    assert response.json()["meta"]["slug"] == f"{hidden.slug}-1"
    assert HIDDEN_TITLE not in response.content.decode()


def test_renaming_a_page_to_a_taken_slug_is_not_available(api, book, hidden):
    mine = _post(api, "/api/v3/pages/", _page(book)).json()["id"]
    response = api.patch(
        f"/api/v3/pages/{mine}/",
        {"meta": {"type": "reviews.ReviewPage"}, "slug": hidden.slug},
        content_type="application/json",
    )
    _not_available(response, ["body", "data", "slug"])
    _says_nothing_of(response, hidden)
    assert Page.objects.get(pk=mine).slug == "cold-and-hunger"


@pytest.mark.parametrize("action", ["copy", "create_alias"])
def test_a_copy_to_a_taken_slug_is_not_available(api, book, hidden, action):
    mine = _post(api, "/api/v3/pages/", _page(book)).json()["id"]
    response = _post(
        api, f"/api/v3/pages/{mine}/actions/{action}/", {"slug": hidden.slug}
    )
    _not_available(response, ["body", "data", "slug"])
    _says_nothing_of(response, hidden)
    # Nor the parent it would have gone under.
    assert "Reviews" not in response.content.decode()
    assert review_index().get_children().filter(slug=hidden.slug).count() == 1


def test_the_member_still_names_a_free_slug(api, book):
    response = _post(api, "/api/v3/pages/", _page(book, slug="my-own-slug"))
    assert response.status_code == 201, response.content
    assert response.json()["meta"]["slug"] == "my-own-slug"
    mine = response.json()["id"]
    renamed = api.patch(
        f"/api/v3/pages/{mine}/",
        {"meta": {"type": "reviews.ReviewPage"}, "slug": "my-own-slug"},
        content_type="application/json",
    )
    assert renamed.status_code == 200, renamed.content


@pytest.mark.parametrize(
    "title",
    [
        "a" * 255,
        # NFKC turns each ligature into two letters: 400 from 200.
        "\ufb01" * 200,
    ],
    ids=["255 characters", "a longer slug than title"],
)
def test_a_free_slug_fits_whatever_the_title(create, title):
    """The slug made from a title of 255 characters took a "-1" past the
    slug's 255 when the title's own was taken, and one made from a title
    that slugifies longer was refused even when free: a 400 about a slug
    the member never sent."""
    send, _loc = create
    slugs = []
    for _ in range(2):
        response = send(title=title)
        assert response.status_code == 201, response.content
        slugs.append(response.json()["meta"]["slug"])
    assert len(set(slugs)) == 2, slugs
    assert all(0 < len(slug) <= 255 for slug in slugs), slugs


@pytest.mark.parametrize("action", ["copy", "create_alias"])
def test_a_copy_without_a_slug_gets_one_that_fits(book, editor, action):
    """Wagtail made the copy's slug from its page's with "-1" after it, past
    the slug's 255 characters: on PostgreSQL the copy failed ("a number in
    the request is out of range"), on SQLite the copy had a slug no form
    would save."""
    api = token_client(editor)
    page = _post(api, "/api/v3/pages/", _page(book, slug="a" * 255)).json()["id"]
    response = _post(api, f"/api/v3/pages/{page}/actions/{action}/", {})
    assert response.status_code == 201, response.content
    slug = response.json()["meta"]["slug"]
    assert slug != "a" * 255 and len(slug) <= 255, slug
