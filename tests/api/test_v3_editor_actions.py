"""What an editor's token meets on Wagtail's own v3 endpoints that a member's
mostly never reaches (Wagtail's permission check refuses the member first):
snippet ids that are no ids (a 500 the editor's schemathesis run in
``tests/api/test_fuzz.py`` found), the page actions (copy, move, alias,
revert, publish, unpublish, delete) on every club page type, slugs a
sibling already has, and books through the snippet writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from wagtail.models import Page

from reviews.models import Book, ReviewIndexPage
from tests.api.helpers import club_indexes
from tests.factories import (
    BookFactory,
    discussion_index,
    make_discussion,
    make_review,
    make_series,
    paragraph,
    review_index,
    series_index,
    site_root,
    spoiler,
    token_client,
)
from tests.fixtures.database import built_once
from tests.fixtures.people import built_groups

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("built")]

BOOKS = "/api/v3/snippets/reviews.Book"


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[int]:
    """The indexes, the club's groups and The Siege (its id), built once for
    the module; what a test writes (a book, a page, an action's result)
    rolls back after it."""
    with built_once(django_db_blocker):
        club_indexes()
        yield BookFactory(title="The Siege", chapter_count=30).pk


#: Read back from what ``built`` made, not ensured again for each test.
groups = built_groups()


@pytest.fixture
def book(built: int) -> Book:
    return Book.objects.get(pk=built)


@pytest.fixture
def editor_api(moderator):
    return token_client(moderator)


def _problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("pk", ["nomination", "1.5", "-"])
def test_a_book_id_that_is_no_id_is_a_400_naming_pk(editor_api, book, method, pk):
    response = getattr(editor_api, method)(
        f"{BOOKS}/{pk}/", {}, content_type="application/json"
    )
    body = _problem(response)
    assert ["path", "pk"] == body["errors"][0]["loc"][:2]


def test_a_book_id_that_is_an_id_still_answers(editor_api, book):
    response = editor_api.get(f"{BOOKS}/{book.pk}/")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == book.title
    assert editor_api.get(f"{BOOKS}/987654/").status_code == 404


@pytest.fixture(scope="class")
def built_indexes(built: int, django_db_blocker) -> Iterator[tuple[int, ...]]:
    """Two review indexes, each with a review at ``/same-slug/`` (their ids),
    built once for the class."""
    with built_once(django_db_blocker):
        other = ReviewIndexPage(title="Older reviews", slug="older-reviews")
        site_root().add_child(instance=other)
        other.save_revision().publish()
        book = Book.objects.get(pk=built)
        here = make_review(book=book, slug="same-slug", title="Here")
        there = make_review(book=book, slug="same-slug", title="There", parent=other)
        yield review_index().pk, other.pk, here.pk, there.pk


@pytest.fixture
def two_indexes(built_indexes: tuple[int, ...]) -> list[Page]:
    """The class's two indexes and their reviews, read afresh."""
    return [Page.objects.get(pk=pk).specific for pk in built_indexes]


def _slug_named(response) -> None:
    """A 400 naming ``slug`` as not available, the same answer whoever holds
    it (tests/api/test_slug_taken.py): neither the slug nor the parent."""
    body = _problem(response)
    assert any("slug" in error.get("loc", []) for error in body["errors"]), body
    assert {error["type"] for error in body["errors"]} == {"slug_not_available"}
    assert "same-slug" not in str(body["errors"])


class TestASlugASiblingHas:
    """Every test here reads the same two indexes and reviews: built once
    for the class (the page actions further down run on a tree without
    them)."""

    @pytest.mark.parametrize("position", [None, "last-child"])
    def test_a_move_onto_a_siblings_slug_is_a_400_naming_slug(
        self, editor_api, two_indexes, position
    ):
        index, other, here, there = two_indexes
        target = index if position else here
        data = {"destination_id": target.pk}
        if position:
            data["position"] = position
        response = editor_api.post(
            f"/api/v3/pages/{there.pk}/actions/move/",
            data,
            content_type="application/json",
        )
        _slug_named(response)
        there.refresh_from_db()
        assert there.get_parent().pk == other.pk
        assert there.url_path.endswith("/older-reviews/same-slug/")

    @pytest.mark.parametrize("action", ["copy", "create_alias"])
    def test_a_copy_or_alias_onto_a_siblings_slug_is_a_400_naming_slug(
        self, editor_api, two_indexes, action
    ):
        index, other, here, there = two_indexes
        response = editor_api.post(
            f"/api/v3/pages/{there.pk}/actions/{action}/",
            {"destination_id": index.pk, "slug": "same-slug"},
            content_type="application/json",
        )
        _slug_named(response)
        assert index.get_children().filter(slug="same-slug").count() == 1

    def test_who_may_not_copy_there_gets_a_403_not_a_word_about_slugs(
        self, club_member, two_indexes
    ):
        index, other, here, there = two_indexes
        response = token_client(club_member).post(
            f"/api/v3/pages/{there.pk}/actions/copy/",
            {"destination_id": other.pk, "slug": "same-slug"},
            content_type="application/json",
        )
        body = _problem(response, 403)
        assert "same-slug" not in str(body)


def _create_book(api, **fields):
    return api.post(f"{BOOKS}/", fields, content_type="application/json")


def _fields_named(response) -> set[str]:
    body = _problem(response)
    return {str(part) for error in body["errors"] for part in error.get("loc", [])}


def test_an_editor_adds_a_book_through_wagtails_snippet_writes(editor_api):
    response = _create_book(
        editor_api,
        title="Life and Fate",
        author="Vasily Grossman",
        isbn13="978-1-59017-201-8",
        published_year=1980,
        chapter_count=100,
    )
    assert response.status_code == 201, response.content
    book = Book.objects.get(pk=response.json()["id"])
    assert (book.title, book.author, book.isbn13) == (
        "Life and Fate",
        "Vasily Grossman",
        "9781590172018",
    )
    assert book.slug == "life-and-fate"


def test_a_book_without_title_or_author_is_a_400_naming_both(editor_api):
    response = _create_book(editor_api)
    assert {"title", "author"} <= _fields_named(response)
    assert not Book.objects.filter(title="").exists()


def test_a_taken_isbn_or_slug_is_a_400_naming_it(editor_api, book):
    book.isbn13 = "9781590172018"
    book.save()
    response = _create_book(
        editor_api, title="Again", author="Someone", isbn13="9781590172018"
    )
    assert "isbn13" in _fields_named(response)
    response = _create_book(editor_api, title="Again", author="A", slug=book.slug)
    assert "slug" in _fields_named(response)
    response = editor_api.patch(
        f"{BOOKS}/{book.pk}/", {"isbn13": "123"}, content_type="application/json"
    )
    assert "isbn13" in _fields_named(response)
    assert Book.objects.count() == 1


def test_a_member_adds_no_book(club_member):
    response = _create_book(token_client(club_member), title="Mine", author="Me")
    assert response.status_code == 403, response.content
    assert not Book.objects.filter(title="Mine").exists()


#: Each page action with a body, as a client would send it; "self", "parent"
#: and "reviews" stand for page ids, "revision" for one of the page's own.
ACTIONS = [
    ("copy", {}),
    ("copy", {"recursive": True, "keep_live": False}),
    ("copy", {"destination_id": "reviews"}),
    ("copy", {"destination_id": "self", "recursive": True}),
    ("create_alias", {}),
    ("create_alias", {"destination_id": "reviews"}),
    ("move", {"destination_id": "reviews", "position": "last-child"}),
    ("move", {"destination_id": "self", "position": "first-child"}),
    ("move", {"destination_id": "parent"}),
    ("revert", {"revision_id": "revision"}),
    ("publish", {}),
    ("unpublish", {"recursive": True}),
    ("convert_alias", {}),
    ("delete", {}),
]


@pytest.mark.parametrize("who", ["moderator", "club_member"])
def test_no_page_action_on_a_club_page_type_is_a_server_error(request, book, who):
    """Every action on every club page type (home and the indexes included)
    answers a success or a problem, never a 500; each runs on the same
    content (rolled back after it)."""
    api = token_client(request.getfixturevalue(who))
    review = make_review(book=book, body=[paragraph("x"), spoiler(book, 3, "l", "y")])
    series = make_series("Series", [(book, 1)])
    discussion = make_discussion(book=book)
    pages = [
        site_root(),
        review_index(),
        series_index(),
        discussion_index(),
        review,
        series,
        discussion,
    ]
    for page in pages:
        stand_for = {
            "self": page.pk,
            "parent": page.get_parent().pk,
            "reviews": review_index().pk,
            "revision": getattr(page.get_latest_revision(), "pk", 1),
        }
        for action, body in ACTIONS:
            data = {key: stand_for.get(value, value) for key, value in body.items()}
            point = transaction.savepoint()
            response = api.post(
                f"/api/v3/pages/{page.pk}/actions/{action}/",
                data,
                content_type="application/json",
            )
            transaction.savepoint_rollback(point)
            where = (type(page.specific).__name__, action, body, response.content)
            assert response.status_code < 500, where
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/problem+json", where


@pytest.mark.parametrize("who", ["moderator", "club_member"])
@pytest.mark.parametrize("position", [None, "left", "last-sibling"])
def test_a_move_beside_the_trees_root_is_a_400_naming_position(request, who, position):
    home = site_root()
    data = {"destination_id": home.get_parent().pk}
    if position:
        data["position"] = position
    response = token_client(request.getfixturevalue(who)).post(
        f"/api/v3/pages/{review_index().pk}/actions/move/",
        data,
        content_type="application/json",
    )
    body = _problem(response)
    assert body["errors"][0]["loc"][-1] == "position"
    assert review_index().get_parent().pk == home.pk


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "", "author": "Someone"},
        {"title": "   ", "author": "Someone"},
        {"title": "Blank author", "author": ""},
        {"title": "Blank author", "author": "  "},
    ],
)
def test_a_blank_title_or_author_is_a_400_naming_it(editor_api, fields):
    """The contract asks a book for both; a blank one made a book listed
    with no name at /books/book-2/."""
    blank = next(name for name, value in fields.items() if not value.strip())
    response = _create_book(editor_api, **fields)
    assert blank in _fields_named(response)
    assert not Book.objects.filter(**{f"{blank}__regex": r"^\s*$"}).exists()


@pytest.mark.parametrize("name", ["title", "author"])
def test_blanking_a_books_title_or_author_is_a_400(editor_api, book, name):
    response = editor_api.patch(
        f"{BOOKS}/{book.pk}/", {name: " "}, content_type="application/json"
    )
    assert name in _fields_named(response)
    book.refresh_from_db()
    assert getattr(book, name).strip()
