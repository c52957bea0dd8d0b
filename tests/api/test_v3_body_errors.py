"""Where a review write's body is wrong, as one shape whatever finds it.

The body was checked three ways, each with its own ``loc``: Ninja's schema
(``["body", "data", "body", 1]``, the view's parameter name), the reading of
the blocks (``["body", "body", 1, "value", "chapter"]``) and Wagtail's
validation of them and of the page (``["body", "body", 1, "chapter"]``,
without the ``value`` the client sent). Every error now names the request
body, then the path to what the client sent in it (docs/api.md, Errors)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from reviews.models import Book, ReviewPage
from reviews.roles import ensure_groups
from tests.factories import BookFactory, make_review, review_index
from tests.fixtures.database import built_once
from tests.fixtures.people import built_groups

from .test_v3_writes import new_review, patch, post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("built")]

OPEN = {"type": "paragraph", "value": "<p>Open text.</p>"}
CHAPTERS = 30


def _spoiler(**value: Any) -> dict[str, Any]:
    return {
        "type": "spoiler",
        "value": {
            "spoils": None,
            "chapter": None,
            "label": "Who survives",
            "content": [{"type": "paragraph", "value": "<p>Hidden.</p>"}],
            **value,
        },
    }


def _in_spoiler(block: dict[str, Any]) -> dict[str, Any]:
    return _spoiler(content=[block])


SPOILER = ["body", "body", 1, "value"]
IN_SPOILER = [*SPOILER, "content", 0, "value"]

#: (what the second block is, or the whole body; where the error is)
CASES = {
    "a body that is not a list": ("not a list", ["body", "body"]),
    "an empty body": ([], ["body", "body"]),
    "a block that is not an object": ([OPEN, 5], ["body", "body", 1]),
    "a block without a type": ([OPEN, {"value": "x"}], ["body", "body", 1]),
    "an unknown block type": (
        [OPEN, {"type": "video", "value": "x"}],
        ["body", "body", 1, "type"],
    ),
    "a block id that is not a string": (
        [OPEN, {**OPEN, "id": 5}],
        ["body", "body", 1, "id"],
    ),
    "a paragraph without a value": (
        [OPEN, {"type": "paragraph"}],
        ["body", "body", 1, "value"],
    ),
    "an empty paragraph": (
        [OPEN, {"type": "paragraph", "value": ""}],
        ["body", "body", 1, "value"],
    ),
    "rich text that is not text": (
        [OPEN, {"type": "paragraph", "value": 5}],
        ["body", "body", 1, "value"],
    ),
    "rich text with a processing instruction": (
        [OPEN, {"type": "paragraph", "value": "<p>a<?x y?></p>"}],
        ["body", "body", 1, "value"],
    ),
    "a heading past its length": (
        [OPEN, {"type": "heading", "value": "x" * 121}],
        ["body", "body", 1, "value"],
    ),
    "a quote without its text": (
        [OPEN, {"type": "quote", "value": {"text": ""}}],
        ["body", "body", 1, "value", "text"],
    ),
    "an image that does not exist": (
        [OPEN, {"type": "image", "value": {"image": 999999}}],
        ["body", "body", 1, "value", "image"],
    ),
    "a spoiler of a book that does not exist": (
        [OPEN, _spoiler(spoils=999999)],
        [*SPOILER, "spoils"],
    ),
    "a spoiler's chapter that is not a number": (
        [OPEN, _spoiler(chapter="3")],
        [*SPOILER, "chapter"],
    ),
    "a chapter past the reviewed book's last": (
        [OPEN, _spoiler(chapter=CHAPTERS + 1)],
        [*SPOILER, "chapter"],
    ),
    "a chapter past the spoiled book's last": (
        [OPEN, _spoiler(spoils="BOOK", chapter=CHAPTERS + 1)],
        [*SPOILER, "chapter"],
    ),
    "a spoiler without a label": ([OPEN, _spoiler(label="")], [*SPOILER, "label"]),
    "a new spoiler sent hidden": (
        [OPEN, _spoiler(content=None)],
        [*SPOILER, "content"],
    ),
    "a spoiler with nothing in it": (
        [OPEN, _spoiler(content=[])],
        [*SPOILER, "content"],
    ),
    "a spoiler's block of an unknown type": (
        [OPEN, _in_spoiler({"type": "heading", "value": "x"})],
        [*SPOILER, "content", 0, "type"],
    ),
    "an empty paragraph in a spoiler": (
        [OPEN, _in_spoiler({"type": "paragraph", "value": ""})],
        IN_SPOILER,
    ),
    "rich text with a processing instruction in a spoiler": (
        [OPEN, _in_spoiler({"type": "paragraph", "value": "<p>a<?x y?></p>"})],
        IN_SPOILER,
    ),
    "a quote without its text in a spoiler": (
        [OPEN, _in_spoiler({"type": "quote", "value": {"text": ""}})],
        [*IN_SPOILER, "text"],
    ),
    "an image in a spoiler that does not exist": (
        [OPEN, _in_spoiler({"type": "image", "value": {"image": 999999}})],
        [*IN_SPOILER, "image"],
    ),
}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[int]:
    """The review index, the club's groups with their permissions on it and
    The Siege (its id), which every test wrote before it sent a body: built
    once for the module; what a test writes rolls back after it."""
    with built_once(django_db_blocker):
        ensure_groups(review_index())
        yield BookFactory(title="The Siege", chapter_count=CHAPTERS).pk


#: Read back from what ``built`` made, not ensured again for each test.
groups = built_groups()


@pytest.fixture
def book(built: int) -> Book:
    return Book.objects.get(pk=built)


def _sent(body: Any, book) -> Any:
    """``body`` with the book's id where it says ``"BOOK"``."""
    return json.loads(json.dumps(body).replace('"BOOK"', str(book.pk)))


def _locs(response) -> list[list[Any]]:
    """The raw problem's error locations."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == 400
    return [error["loc"] for error in problem["errors"]]


@pytest.mark.parametrize(("body", "loc"), CASES.values(), ids=CASES.keys())
def test_a_new_reviews_bad_body_is_named_where_it_was_sent(member_api, book, body, loc):
    sent = {**new_review(book), "body": _sent(body, book)}

    assert _locs(post(member_api, "/api/v3/reviews/", sent)) == [loc]
    assert not ReviewPage.objects.exists()


@pytest.mark.parametrize(("body", "loc"), CASES.values(), ids=CASES.keys())
def test_a_changed_bad_body_is_named_where_it_was_sent(
    member_api, club_member, book, body, loc
):
    review = make_review(owner=club_member, reviewer=club_member, book=book)
    url = f"/api/v3/reviews/{review.pk}/"

    assert _locs(patch(member_api, url, {"body": _sent(body, book)})) == [loc]
    assert review.revisions.count() == 1


def test_other_fields_are_named_the_same_way(member_api, book):
    """``["body", <field>]``: the book the view checks, and what the schema
    refuses, without the view's parameter name between them."""
    for change, loc in [
        ({"book": 999999}, ["body", "book"]),
        ({"summary": ""}, ["body", "summary"]),
        ({"raiting": 4}, ["body", "raiting"]),
        ({"tags": ["x" * 101]}, ["body", "tags", 0]),
    ]:
        sent = {**new_review(book), **change}
        assert _locs(post(member_api, "/api/v3/reviews/", sent)) == [loc], change
