"""Editors hide and restore comments in the admin; nothing is deleted."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from reviews.models import CommentReport, DiscussionComment
from reviews.roles import MEMBERS, ensure_groups
from tests.discussions.conftest import shared_discussion
from tests.factories import DiscussionCommentFactory, UserFactory, bearer, review_index

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()

ADMIN_LIST = "/admin/snippets/reviews/discussioncomment/"


@pytest.fixture
def thread(discussion, member, other_member):
    parent = DiscussionCommentFactory(
        page=discussion, author=other_member, chapter=1, body="RUDE-PARENT"
    )
    reply = DiscussionCommentFactory(
        page=discussion, author=member, parent=parent, chapter=1, body="KIND-REPLY"
    )
    return parent, reply


def test_removed_comment_disappears_and_its_replies_stay(
    client, discussion, thread, editor
):
    parent, reply = thread
    parent.remove(editor)
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    assert "RUDE-PARENT" not in html
    assert "KIND-REPLY" in html
    assert "This comment was removed by a moderator." in html
    assert discussion.comment_count == 1

    items = client.get(
        f"/api/v3/discussions/{discussion.pk}/comments/", {"spoilers": "show"}
    ).json()["items"]
    assert "RUDE-PARENT" not in str(items)
    placeholder, kept = items
    assert placeholder["removed"] is True
    assert placeholder["body"] is placeholder["author"] is None
    assert (kept["parent"], kept["body"]) == (parent.pk, "KIND-REPLY")

    parent.restore(editor)
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    assert "RUDE-PARENT" in html
    assert "removed by a moderator" not in html


def test_a_removed_comment_without_replies_leaves_no_trace(client, discussion):
    lone = DiscussionCommentFactory(page=discussion, chapter=1, body="LONE")
    lone.remove(None)
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    assert "LONE" not in html
    assert "removed by a moderator" not in html
    data = client.get(f"/api/v3/discussions/{discussion.pk}/comments/").json()
    assert data["items"] == []
    url = f"/api/v3/discussions/{discussion.pk}/comments/{lone.pk}/"
    assert client.get(url).status_code == 404


def test_editors_list_comments_with_filters(client, discussion, thread, editor, book):
    from tests.factories import make_discussion

    parent, reply = thread
    elsewhere = DiscussionCommentFactory(
        page=make_discussion(book=book), body="ELSEWHERE"
    )
    reply.remove(editor)
    CommentReport.objects.create(comment=parent, reporter=reply.author, reason="rude")
    client.force_login(editor)

    def listed(**params) -> set[int]:
        response = client.get(ADMIN_LIST, params)
        assert response.status_code == 200
        return {obj.pk for obj in response.context["object_list"]}

    assert listed() == {parent.pk, reply.pk, elsewhere.pk}
    assert listed(page=discussion.pk) == {parent.pk, reply.pk}
    assert listed(removed="true") == {reply.pk}
    assert listed(removed="false") == {parent.pk, elsewhere.pk}
    assert listed(reported="true") == {parent.pk}
    html = client.get(ADMIN_LIST).content.decode()
    assert "RUDE-PARENT" in html


def test_editors_hide_and_restore_from_the_edit_form(client, thread, editor):
    parent, reply = thread
    report = CommentReport.objects.create(comment=parent, reporter=reply.author)
    client.force_login(editor)
    url = f"{ADMIN_LIST}edit/{parent.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"removed": "on", "body": "edited by a moderator"})
    assert response.status_code == 302
    parent.refresh_from_db()
    report.refresh_from_db()
    assert parent.removed and parent.removed_by == editor
    assert parent.body == "RUDE-PARENT", "moderators cannot rewrite a member's words"
    assert report.resolved_by == editor

    client.post(url, {})
    parent.refresh_from_db()
    assert not parent.removed and parent.removed_by is None


def test_nobody_deletes_or_adds_comments_in_the_admin(client, thread, editor):
    parent, _reply = thread
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    for user in (editor, admin):
        client.force_login(user)
        response = client.post(f"{ADMIN_LIST}delete/{parent.pk}/")
        assert response.status_code == 302, "refused, back to the dashboard"
        assert DiscussionComment.objects.filter(pk=parent.pk).exists()
        html = client.get(ADMIN_LIST).content.decode()
        assert f"{ADMIN_LIST}delete/{parent.pk}/" not in html
        response = client.get(f"{ADMIN_LIST}add/")
        assert response.status_code == 302, "refused, back to the dashboard"


def test_members_cannot_moderate(client, thread, member):
    groups = ensure_groups(review_index())
    member.groups.add(groups[MEMBERS])
    client.force_login(member)
    response = client.get(ADMIN_LIST)
    assert response.status_code in (302, 403, 404)
    parent, _reply = thread
    client.post(f"{ADMIN_LIST}edit/{parent.pk}/", {"removed": "on"})
    parent.refresh_from_db()
    assert not parent.removed


def test_members_report_a_comment_once(client, discussion, thread, member):
    parent, reply = thread
    client.force_login(member)
    url = f"/club/comments/{parent.pk}/report/"
    assert "What is wrong with it?" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Spoils the ending in chapter 1"})
    assert response.status_code == 302
    client.post(url, {"reason": "again"})
    report = CommentReport.objects.get()
    assert (report.comment, report.reporter) == (parent, member)
    assert report.reason == "Spoils the ending in chapter 1"
    response = client.post(f"/club/comments/{reply.pk}/report/", {"reason": "x"})
    assert "cannot report your own comment" in response.content.decode()
    assert CommentReport.objects.count() == 1


def test_reporting_through_the_api(client, discussion, thread, member):
    parent, reply = thread
    url = f"/api/v3/discussions/{discussion.pk}/comments/{parent.pk}/report/"
    headers = bearer(member)
    first = client.post(url, {"reason": "spam"}, "application/json", **headers)
    again = client.post(url, {}, "application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"reported": True, "new": False}
    assert client.post(url, {}, "application/json").status_code == 401
    own = url.replace(f"/{parent.pk}/", f"/{reply.pk}/")
    assert client.post(own, {}, "application/json", **headers).status_code == 400
    assert CommentReport.objects.count() == 1


def test_the_moderation_form_reads_as_words(client, thread, editor):
    """It showed "Removed by None" and "Removed on None" for a comment
    nobody removed, and the reports (why the moderator is there) came last,
    below every field."""
    parent, reply = thread
    CommentReport.objects.create(
        comment=parent, reporter=reply.author, reason="REPORTED-REASON"
    )
    client.force_login(editor)
    html = client.get(f"{ADMIN_LIST}edit/{parent.pk}/").content.decode()

    assert ">None<" not in html.replace(" ", "").replace("\n", "")
    assert html.index("REPORTED-REASON") < html.index('name="removed"')


def test_the_moderation_form_names_members_and_times_as_the_list_does(
    client, thread, editor
):
    """The list says "Bruno Keller" and "7 Dec 2026, 6:46 p.m."; the form it
    opens said "bruno on …", "Author: bruno", "Removed by: edith", and gave
    the report's time as "18:46" beside the comment's "6:46 p.m."."""
    parent, reply = thread
    evening = datetime(2026, 12, 7, 18, 46, tzinfo=ZoneInfo("Europe/London"))
    DiscussionComment.objects.filter(pk=parent.pk).update(created_at=evening)
    report = CommentReport.objects.create(
        comment=parent, reporter=reply.author, reason="REPORTED-REASON"
    )
    CommentReport.objects.filter(pk=report.pk).update(created_at=evening)
    client.force_login(editor)
    listing = " ".join(
        client.get(f"{ADMIN_LIST}?reported=true").content.decode().split()
    )
    assert "Bruno Keller" in listing
    assert "7 Dec 2026, 6:46 p.m." in listing

    client.post(f"{ADMIN_LIST}edit/{parent.pk}/", {"removed": "on"})
    html = client.get(f"{ADMIN_LIST}edit/{parent.pk}/").content.decode()
    text = re.sub(r"\s*([<>])\s*", r"\1", " ".join(html.split()))

    assert "bruno on" not in text
    assert "Bruno Keller on The Siege, all of it" in text
    assert ">Bruno Keller<" in text
    assert ">bruno<" not in text
    assert ">Edith Park<" in text
    assert ">edith<" not in text
    assert "7 Dec 2026, 6:46 p.m. — Alice Marsh: REPORTED-REASON" in text
    assert "18:46" not in text
