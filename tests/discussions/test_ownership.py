"""Members edit (briefly) and delete their own comments, and nobody else's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import COMMENT_EDIT_WINDOW, DiscussionComment
from tests.discussions.conftest import shared_discussion
from tests.factories import DiscussionCommentFactory, bearer

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()


@pytest.fixture
def theirs(discussion, other_member):
    return DiscussionCommentFactory(
        page=discussion, author=other_member, chapter=2, body="BRUNO-WROTE"
    )


@pytest.fixture
def mine(discussion, member):
    return DiscussionCommentFactory(
        page=discussion, author=member, chapter=2, body="ALICE-WROTE"
    )


def test_another_member_cannot_edit_or_delete_on_the_site(client, theirs, member):
    client.force_login(member)
    for action in ("edit", "delete"):
        url = f"/club/comments/{theirs.pk}/{action}/"
        assert client.get(url).status_code == 403
        response = client.post(url, {"body": "HIJACKED", "chapter": "2"})
        assert response.status_code == 403
    theirs.refresh_from_db()
    assert (theirs.body, theirs.deleted_at) == ("BRUNO-WROTE", None)


def test_another_member_cannot_edit_or_delete_through_the_api(
    client, discussion, theirs, member
):
    url = f"/api/v3/discussions/{discussion.pk}/comments/{theirs.pk}/"
    headers = bearer(member)
    response = client.patch(url, {"body": "HIJACKED"}, "application/json", **headers)
    assert response.status_code == 403
    assert client.delete(url, **headers).status_code == 403
    assert client.delete(url).status_code == 401
    theirs.refresh_from_db()
    assert (theirs.body, theirs.deleted_at) == ("BRUNO-WROTE", None)


def test_other_members_see_no_edit_or_delete_links(client, discussion, theirs, member):
    client.force_login(member)
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    assert f"/club/comments/{theirs.pk}/edit/" not in html
    assert f"/club/comments/{theirs.pk}/delete/" not in html
    assert f"/club/comments/{theirs.pk}/report/" in html


def test_the_author_edits_within_the_window(client, discussion, mine, member):
    client.force_login(member)
    url = f"/club/comments/{mine.pk}/edit/"
    assert "ALICE-WROTE" in client.get(url).content.decode()
    response = client.post(url, {"body": "ALICE-CORRECTED", "chapter": "3"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.body, mine.chapter) == ("ALICE-CORRECTED", 3)
    assert mine.edited_at is not None
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    assert "ALICE-CORRECTED" in html
    assert "edited" in html


def test_editing_closes_after_the_window_but_deleting_stays(
    client, discussion, mine, member
):
    DiscussionComment.objects.filter(pk=mine.pk).update(
        created_at=timezone.now() - COMMENT_EDIT_WINDOW - timedelta(minutes=1)
    )
    client.force_login(member)
    response = client.post(f"/club/comments/{mine.pk}/edit/", {"body": "late"})
    assert response.status_code == 403
    assert "shortly after posting" in response.content.decode()
    api = client.patch(
        f"/api/v3/discussions/{discussion.pk}/comments/{mine.pk}/",
        {"body": "late"},
        "application/json",
        **bearer(member),
    )
    assert api.status_code == 403
    mine.refresh_from_db()
    assert mine.body == "ALICE-WROTE"
    assert client.post(f"/club/comments/{mine.pk}/delete/").status_code == 302


def test_the_author_edits_through_the_api(client, discussion, mine, member):
    url = f"/api/v3/discussions/{discussion.pk}/comments/{mine.pk}/"
    headers = bearer(member)
    response = client.patch(url, {"chapter": None}, "application/json", **headers)
    assert response.status_code == 200, response.content
    mine.refresh_from_db()
    assert (mine.body, mine.chapter) == ("ALICE-WROTE", None)
    response = client.patch(url, {"chapter": 99}, "application/json", **headers)
    assert response.status_code == 400


def test_deleting_keeps_replies_under_a_placeholder(
    client, discussion, mine, member, other_member
):
    reply = DiscussionCommentFactory(
        page=discussion, author=other_member, parent=mine, chapter=2, body="ANSWER"
    )
    client.force_login(member)
    assert "erased" in client.get(f"/club/comments/{mine.pk}/delete/").content.decode()
    client.post(f"/club/comments/{mine.pk}/delete/")
    mine.refresh_from_db()
    assert mine.body == "" and mine.deleted_at is not None
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    assert "This comment was deleted by its author." in html
    assert "ANSWER" in html
    response = client.delete(
        f"/api/v3/discussions/{discussion.pk}/comments/{reply.pk}/",
        **bearer(other_member),
    )
    assert response.status_code == 204
    data = client.get(f"/api/v3/discussions/{discussion.pk}/comments/").json()
    assert data["items"] == [] and data["comment_count"] == 0


def test_a_comment_cannot_move_past_its_replies(
    client, discussion, mine, member, other_member
):
    DiscussionCommentFactory(page=discussion, parent=mine, chapter=4)
    client.force_login(member)
    response = client.post(
        f"/club/comments/{mine.pk}/edit/", {"body": "ALICE-WROTE", "chapter": "9"}
    )
    assert "cannot move past it" in response.content.decode()
    mine.refresh_from_db()
    assert mine.chapter == 2


def test_every_channel_counts_a_deleted_comment_out(
    client, discussion, mine, theirs, member
):
    """The discussion's own answer in API v3 counted a comment its author
    deleted; its comment listing, API v2 and Wagtail's v3 page did not."""
    client.force_login(member)
    client.post(f"/club/comments/{mine.pk}/delete/")
    client.logout()

    counts = {
        url: client.get(url).json()["comment_count"]
        for url in (
            f"/api/v3/discussions/{discussion.pk}/",
            f"/api/v3/discussions/{discussion.pk}/comments/",
            f"/api/v2/pages/{discussion.pk}/",
            f"/api/v3/pages/{discussion.pk}/",
        )
    }
    listed = client.get("/api/v3/discussions/", {"when": "all"}).json()["items"]
    counts["/api/v3/discussions/"] = next(
        item["comment_count"] for item in listed if item["id"] == discussion.pk
    )
    assert set(counts.values()) == {1}, counts
