"""What a member's review write takes, and what it refuses by name.

Found by writing a client against the documented API: a misspelt field
(``"raiting": 5``) was dropped without a word, and the review saved without
its rating; a slug the member chose, taken by a sibling, became ``cold-1``;
a tag of 500 characters was stored on SQLite and, on PostgreSQL, past the
tag column's 100, was refused as "A number in the request is out of
range".
"""

from __future__ import annotations

import pytest

from reviews.models import ReadingProgress, ReviewPage
from tests.factories import BookFactory, make_review, review_index

from .test_v3_writes import new_review, patch, post

pytestmark = pytest.mark.django_db


def _problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _locs(problem: dict) -> list[list]:
    return [error["loc"] for error in problem.get("errors", [])]


def test_a_misspelt_field_is_refused_by_name(member_api):
    book = BookFactory()
    review_index()
    sent = {**new_review(book), "raiting": 5}
    problem = _problem(post(member_api, "/api/v3/reviews/", sent))

    assert any(loc[-1] == "raiting" for loc in _locs(problem)), problem
    assert not ReviewPage.objects.exists()


def test_a_misspelt_field_in_a_change_is_refused(member_api, club_member):
    book = BookFactory()
    review_index()
    created = post(member_api, "/api/v3/reviews/", new_review(book)).json()
    problem = _problem(
        patch(member_api, f"/api/v3/reviews/{created['id']}/", {"titel": "New"})
    )
    assert any(loc[-1] == "titel" for loc in _locs(problem)), problem


def test_a_misspelt_progress_field_is_refused(member_api, club_member):
    book = BookFactory(chapter_count=30)
    problem = _problem(
        patch(member_api, f"/api/v3/progress/{book.pk}/", {"chapter": 5, "finshed": 1})
    )
    assert any(loc[-1] == "finshed" for loc in _locs(problem)), problem
    assert not ReadingProgress.objects.filter(chapter=5).exists()


def test_a_slug_the_member_chose_that_is_taken_is_refused(member_api):
    book = BookFactory()
    make_review(book=book, slug="cold")
    problem = _problem(
        post(member_api, "/api/v3/reviews/", {**new_review(book), "slug": "cold"})
    )
    assert "slug" in str(problem), problem
    assert ReviewPage.objects.filter(slug__startswith="cold").count() == 1


def test_a_slug_made_from_the_title_still_finds_a_free_one(member_api):
    book = BookFactory()
    make_review(book=book, slug="cold-and-hunger")
    response = post(member_api, "/api/v3/reviews/", new_review(book))
    assert response.status_code == 201, response.content
    assert response.json()["meta"]["slug"] == "cold-and-hunger-1"


@pytest.mark.parametrize("length", [101, 500])
def test_a_tag_longer_than_the_tag_column_is_refused(member_api, length):
    book = BookFactory()
    review_index()
    sent = {**new_review(book), "tags": ["war", "x" * length]}
    problem = _problem(post(member_api, "/api/v3/reviews/", sent))
    assert any("tags" in loc for loc in _locs(problem)), problem
    assert not ReviewPage.objects.exists()


def test_a_tag_of_the_longest_length_is_kept(member_api):
    book = BookFactory()
    review_index()
    sent = {**new_review(book), "tags": ["y" * 100]}
    response = post(member_api, "/api/v3/reviews/", sent)
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == ["y" * 100]


def test_the_openapi_document_says_a_review_needs_a_body(client):
    schema = client.get("/api/v3/openapi.json").json()["components"]["schemas"]
    review_in = schema["ReviewInSchema"]
    assert "body" in review_in["required"]
    tag = review_in["properties"]["tags"]["items"]
    assert tag.get("maxLength") == 100


def test_a_spoiler_past_the_last_chapter_is_named_by_its_block(member_api):
    """The error said only ``["body", "body"]``: with several spoilers, a
    client could not tell which one to correct."""
    book = BookFactory(title="The Siege", chapter_count=30)
    review_index()
    sent = new_review(book)
    sent["body"].append(
        {
            "type": "spoiler",
            "value": {
                "spoils": book.pk,
                "chapter": 31,
                "label": "Past the end",
                "content": [{"type": "paragraph", "value": "<p>x</p>"}],
            },
        }
    )
    problem = _problem(post(member_api, "/api/v3/reviews/", sent))

    assert problem["errors"] == [
        {
            "type": "invalid_block",
            "loc": ["body", "body", 2, "value", "chapter"],
            "msg": "The Siege has only 30 chapters.",
        }
    ], problem


def test_a_created_review_says_where_it_is(member_api):
    """RFC 9110: a 201 names the resource it created."""
    review_index()
    response = post(member_api, "/api/v3/reviews/", new_review(BookFactory()))
    assert response.status_code == 201
    location = response["Location"]
    assert location == f"/api/v3/reviews/{response.json()['id']}/"
    assert member_api.get(location).status_code == 200


def test_a_posted_comment_says_where_it_is(member_api):
    from tests.factories import make_discussion

    discussion = make_discussion()
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    response = post(member_api, url, {"body": "Hello."})
    assert response.status_code == 201, response.content
    assert response["Location"] == f"{url}{response.json()['id']}/"
    assert member_api.get(response["Location"]).status_code == 200
