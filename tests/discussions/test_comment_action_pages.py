"""The report, edit and delete pages of one comment: they never show what the
discussion page itself would not (removed text, or a chapter not reached)."""

import pytest

from tests.discussions.conftest import shared_discussion
from tests.factories import (
    DiscussionCommentFactory,
    ReadingProgressFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()


@pytest.fixture
def at_chapter_5(member, book):
    return ReadingProgressFactory(member=member, book=book, chapter=5)


def test_a_removed_comment_cannot_be_read_on_its_report_page(
    client, discussion, member, other_member
):
    comment = DiscussionCommentFactory(
        page=discussion, author=other_member, chapter=1, body="RUDE-TEXT"
    )
    comment.remove(UserFactory(username="edith"))
    client.force_login(member)
    url = f"/club/comments/{comment.pk}/report/"
    response = client.get(url)
    assert response.status_code == 404
    assert "RUDE-TEXT" not in response.content.decode()
    assert client.post(url, {"reason": "rude"}).status_code == 404
    assert not comment.reports.exists()


def test_a_deleted_comment_has_no_report_page(client, discussion, member, other_member):
    comment = DiscussionCommentFactory(page=discussion, author=other_member)
    comment.delete_by_author()
    client.force_login(member)
    assert client.get(f"/club/comments/{comment.pk}/report/").status_code == 404


def test_the_author_gets_no_edit_or_delete_page_for_a_removed_comment(
    client, discussion, member
):
    comment = DiscussionCommentFactory(
        page=discussion, author=member, chapter=1, body="MY-REMOVED-TEXT"
    )
    comment.remove(UserFactory(username="edith"))
    client.force_login(member)
    for action in ("edit", "delete"):
        url = f"/club/comments/{comment.pk}/{action}/"
        response = client.get(url)
        assert response.status_code == 404, action
        assert "MY-REMOVED-TEXT" not in response.content.decode()
        assert client.post(url, {"body": "Back again"}).status_code == 404, action
    comment.refresh_from_db()
    assert (comment.body, comment.removed) == ("MY-REMOVED-TEXT", True)


def test_the_report_page_keeps_a_later_chapter_hidden(
    client, discussion, member, other_member, at_chapter_5
):
    comment = DiscussionCommentFactory(
        page=discussion, author=other_member, chapter=12, body="CHAPTER-12-TWIST"
    )
    client.force_login(member)
    url = f"/club/comments/{comment.pk}/report/"
    html = client.get(url).content.decode()
    assert "CHAPTER-12-TWIST" not in html
    assert "Bruno" not in html, "the author can be a spoiler too"
    assert "A comment about chapter 12" in html
    assert "Send the report" in html, "it can still be reported"

    at_chapter_5.chapter = 12
    at_chapter_5.save()
    html = client.get(url).content.decode()
    assert "CHAPTER-12-TWIST" in html


def test_the_report_page_keeps_a_whole_book_comment_hidden_until_finished(
    client, discussion, member, other_member, at_chapter_5
):
    comment = DiscussionCommentFactory(
        page=discussion, author=other_member, chapter=None, body="THE-ENDING"
    )
    client.force_login(member)
    url = f"/club/comments/{comment.pk}/report/"
    html = client.get(url).content.decode()
    assert "THE-ENDING" not in html
    assert "A comment about the whole book" in html
    assert "THE-ENDING" in client.get(url, {"spoilers": "show"}).content.decode()


def test_the_delete_page_shows_the_author_what_they_delete(
    client, discussion, member, at_chapter_5
):
    """As the discussion page does, whatever their progress: they wrote it.
    The page hid it ("A comment about chapter 20"), so they could not see
    what they were about to delete."""
    comment = DiscussionCommentFactory(
        page=discussion, author=member, chapter=20, body="WHAT-I-GUESSED"
    )
    client.force_login(member)
    html = client.get(f"/club/comments/{comment.pk}/delete/").content.decode()
    assert "WHAT-I-GUESSED" in html
    assert "stay hidden until you get there" not in html
    assert "Delete it" in html
    assert "WHAT-I-GUESSED" in client.get(discussion.url).content.decode()
