"""What an editor's token meets on Wagtail's own v3 endpoints that a member's
never reaches (Wagtail's permission check refuses the member first): snippet
ids that are no ids, and the page actions (copy, move, alias, revert,
publish, unpublish, delete) on the club's page types. Each was found by the
editor's schemathesis run (``tests/api/test_fuzz.py``) as a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

BOOKS = "/api/v3/snippets/reviews.Book"


@pytest.fixture
def editor_api(editor):
    return token_client(editor)


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


@pytest.fixture
def two_indexes(book):
    """Two review indexes, each with a review at ``/same-slug/``."""
    from reviews.models import ReviewIndexPage
    from tests.factories import make_review, review_index, site_root

    other = ReviewIndexPage(title="Older reviews", slug="older-reviews")
    site_root().add_child(instance=other)
    other.save_revision().publish()
    here = make_review(book=book, slug="same-slug", title="Here")
    there = make_review(book=book, slug="same-slug", title="There", parent=other)
    return review_index(), other, here, there


def _slug_named(response) -> None:
    body = _problem(response)
    assert any("slug" in error.get("loc", []) for error in body["errors"]), body
    assert "same-slug" in str(body["errors"])


@pytest.mark.parametrize("position", [None, "last-child"])
def test_a_move_onto_a_siblings_slug_is_a_400_naming_slug(
    editor_api, two_indexes, position
):
    index, other, here, there = two_indexes
    target = index if position else here
    data = {"destination_id": target.pk}
    if position:
        data["position"] = position
    response = editor_api.post(
        f"/api/v3/pages/{there.pk}/actions/move/", data, content_type="application/json"
    )
    _slug_named(response)
    there.refresh_from_db()
    assert there.get_parent().pk == other.pk
    assert there.url_path.endswith("/older-reviews/same-slug/")


@pytest.mark.parametrize("action", ["copy", "create_alias"])
def test_a_copy_or_alias_onto_a_siblings_slug_is_a_400_naming_slug(
    editor_api, two_indexes, action
):
    index, other, here, there = two_indexes
    response = editor_api.post(
        f"/api/v3/pages/{there.pk}/actions/{action}/",
        {"destination_id": index.pk, "slug": "same-slug"},
        content_type="application/json",
    )
    _slug_named(response)
    assert index.get_children().filter(slug="same-slug").count() == 1
