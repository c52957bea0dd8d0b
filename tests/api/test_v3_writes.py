"""Members draft and submit reviews with a token; editors publish."""

from __future__ import annotations

import pytest
from django.test import Client

from reviews.models import ReviewPage
from tests.api.helpers import SECRET
from tests.factories import (
    BookFactory,
    make_review,
    paragraph,
    review_index,
    token_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def siege():
    return BookFactory(title="The Siege", chapter_count=30)


@pytest.fixture
def betrayal():
    return BookFactory(title="The Betrayal", chapter_count=40)


def new_review(book) -> dict:
    return {
        "title": "Cold and hunger",
        "book": book.pk,
        "rating": 4.5,
        "summary": "A winter in the siege.",
        "body": [
            {"type": "paragraph", "value": "<p>Open text.</p>"},
            {
                "type": "spoiler",
                "value": {
                    "spoils": book.pk,
                    "chapter": 12,
                    "label": "Who survives",
                    "content": [{"type": "paragraph", "value": f"<p>{SECRET}</p>"}],
                },
            },
        ],
        "tags": ["war", "winter"],
    }


def post(api: Client, url: str, data=None):
    return api.post(url, data or {}, content_type="application/json")


def patch(api: Client, url: str, data):
    return api.patch(url, data, content_type="application/json")


def test_member_creates_a_draft_with_spoilers(member_api, club_member, siege):
    response = post(member_api, "/api/v3/reviews/", new_review(siege))

    assert response.status_code == 201, response.content
    item = response.json()
    assert item["meta"]["status"] == "draft"
    assert item["reviewer"]["display_name"] == "Bea Lane"
    assert item["tags"] == ["war", "winter"]
    page = ReviewPage.objects.get(pk=item["id"])
    assert page.live is False
    assert page.owner == club_member
    assert page.get_parent().pk == review_index().pk
    spoiler_block = page.body[1]
    assert spoiler_block.value["spoils"] == siege
    assert spoiler_block.value["chapter"] == 12
    # Drafts are the member's own: nobody else reads them.
    assert Client().get(f"/api/v3/reviews/{page.pk}/").status_code == 404
    assert member_api.get(f"/api/v3/reviews/{page.pk}/").status_code == 200
    mine = member_api.get("/api/v3/reviews/?mine=true").json()
    assert [review["id"] for review in mine["items"]] == [page.pk]
    assert Client().get("/api/v3/reviews/").json()["count"] == 0


def test_spoiler_blocks_round_trip(member_api, siege, betrayal):
    created = post(member_api, "/api/v3/reviews/", new_review(betrayal)).json()
    url = f"/api/v3/reviews/{created['id']}/"
    # The author has not read that far, so the spoiler comes back hidden ...
    read = member_api.get(url).json()
    hidden = read["body"][1]
    assert hidden["value"]["hidden"] is True and hidden["value"]["content"] is None

    # ... and writing back exactly what was read keeps the hidden content.
    read["body"].append(paragraph("A new closing line."))
    response = patch(member_api, url, {"body": read["body"]})

    assert response.status_code == 200, response.content
    page = ReviewPage.objects.get(pk=created["id"]).get_latest_revision_as_object()
    assert SECRET in page.body[1].value["content"][0].value.source
    assert len(page.body) == 3
    shown = member_api.get(url + "?spoilers=show").json()
    assert shown["body"][1]["value"]["content"][0]["value"] == f"<p>{SECRET}</p>"

    # A shown spoiler, written back as read, is the same spoiler.
    assert patch(member_api, url, {"body": shown["body"]}).status_code == 200
    page = ReviewPage.objects.get(pk=created["id"]).get_latest_revision_as_object()
    assert page.body[1].value["spoils"] == betrayal


def test_member_submits_for_moderation_but_cannot_publish(member_api, moderator, siege):
    created = post(member_api, "/api/v3/reviews/", new_review(siege)).json()
    review_id = created["id"]

    submitted = post(member_api, f"/api/v3/reviews/{review_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["meta"]["status"] == "in_moderation"
    assert post(member_api, f"/api/v3/reviews/{review_id}/submit/").status_code == 409

    publish_url = f"/api/v3/pages/{review_id}/actions/publish/"
    assert post(member_api, publish_url).status_code == 403
    create_live = post(
        member_api,
        "/api/v3/pages/",
        {
            "meta": {
                "type": "reviews.ReviewPage",
                "parent_id": review_index().pk,
                "action": "publish",
            },
            "title": "Sneaky",
            "slug": "sneaky",
            "book": siege.pk,
            "summary": "s",
        },
    )
    assert create_live.status_code == 403
    assert not ReviewPage.objects.get(pk=review_id).live

    published = post(token_client(moderator), publish_url)
    assert published.status_code == 200, published.content
    assert ReviewPage.objects.get(pk=review_id).live
    assert Client().get(f"/api/v3/reviews/{review_id}/").status_code == 200


def test_member_cannot_touch_another_members_review(member_api, other_member, siege):
    theirs = make_review(book=siege, owner=other_member, reviewer=other_member)
    url = f"/api/v3/reviews/{theirs.pk}/"

    assert patch(member_api, url, {"title": "Mine now"}).status_code == 403
    assert post(member_api, url + "submit/").status_code == 403
    # Wagtail's own page endpoints refuse too.
    assert (
        patch(member_api, f"/api/v3/pages/{theirs.pk}/", {"title": "x"}).status_code
        == 403
    )
    theirs.refresh_from_db()
    assert theirs.title != "Mine now"

    their_draft = make_review(
        book=siege, owner=other_member, reviewer=other_member, live=False
    )
    assert (
        patch(
            member_api, f"/api/v3/reviews/{their_draft.pk}/", {"title": "x"}
        ).status_code
        == 404
    )


def test_member_edits_own_draft(member_api, siege):
    created = post(member_api, "/api/v3/reviews/", new_review(siege)).json()
    url = f"/api/v3/reviews/{created['id']}/"

    response = patch(member_api, url, {"title": "Better title", "rating": 3})

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Better title"
    page = ReviewPage.objects.get(pk=created["id"]).get_latest_revision_as_object()
    assert page.rating == 3
    assert page.summary == "A winter in the siege."


@pytest.mark.parametrize(
    "url",
    ["/api/v3/reviews/", "/api/v3/reviews/1/submit/", "/api/v3/pages/"],
)
def test_anonymous_writes_are_401(client, url):
    assert post(client, url, {"title": "x"}).status_code == 401


def test_anonymous_patch_is_401(client, siege):
    page = make_review(book=siege)
    assert (
        patch(client, f"/api/v3/reviews/{page.pk}/", {"title": "x"}).status_code == 401
    )


def test_session_does_not_authorise_v3_writes(client, club_member, siege):
    client.force_login(club_member)
    assert post(client, "/api/v3/reviews/", new_review(siege)).status_code == 401


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"book": 999999}, "book"),
        ({"rating": 4.2}, "rating"),
        ({"rating": 7}, "rating"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 301}, "summary"),
        ({"body": [{"type": "video", "value": "x"}]}, "body"),
        (
            {"body": [{"type": "spoiler", "value": {"label": "L", "content": None}}]},
            "body",
        ),
        (
            {
                "body": [
                    {
                        "type": "spoiler",
                        "value": {"label": "L", "chapter": 99, "content": []},
                    }
                ]
            },
            "body",
        ),
        ({"body": "not a list"}, "body"),
        ({"body": [{"type": "image", "value": {"image": {"id": 999999}}}]}, "body"),
    ],
)
def test_bad_review_input_is_400(member_api, siege, change, loc):
    response = post(member_api, "/api/v3/reviews/", {**new_review(siege), **change})
    assert response.status_code == 400, response.content
    assert response.json()["status"] == 400
    assert ReviewPage.objects.count() == 0


def test_wagtails_generic_create_without_book_is_not_a_500(member_api):
    response = post(
        member_api,
        "/api/v3/pages/",
        {
            "meta": {"type": "reviews.ReviewPage", "parent_id": review_index().pk},
            "title": "No book",
            "slug": "no-book",
            "summary": "s",
        },
    )
    assert response.status_code == 400
