"""A member's comment actions are confirmed where the redirect lands, not at
the top of a page they are screens below."""

import pytest

from reviews.models import DiscussionComment
from tests.discussions.conftest import shared_discussion
from tests.factories import DiscussionCommentFactory

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()


def landing(client, response) -> tuple[str, str]:
    """The page a redirect goes to, and the HTML from the element its fragment
    names to the end of that element's first line of content."""
    assert response.status_code == 302
    path, fragment = response["Location"].split("#")
    html = client.get(path).content.decode()
    start = html.index(f'id="{fragment}"')
    return html, html[start:]


def status_at(target: str, text: str) -> None:
    """``text`` is the first thing at ``target``, in a status region."""
    status = target.index('role="status"')
    assert status < target.index(text) < target.index("<article")


@pytest.mark.parametrize("reply", [False, True], ids=["comment", "reply"])
def test_a_posted_comment_is_confirmed_on_the_comment_itself(
    client, discussion, member, other_member, reply
):
    data = {"body": "Tense from the first page.", "chapter": "3"}
    if reply:
        parent = DiscussionCommentFactory(
            page=discussion, author=other_member, chapter=2
        )
        data["parent"] = str(parent.pk)
    client.force_login(member)
    response = client.post(f"/club/discussions/{discussion.pk}/comments/", data)
    comment = DiscussionComment.objects.get(author=member)
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    html, target = landing(client, response)
    status_at(target, "Your comment is posted.")
    assert html.count("Your comment is posted.") == 1, "said once, not at the top"
    assert "Your comment is posted." not in client.get(discussion.url).content.decode()


def test_an_edited_comment_is_confirmed_on_the_comment_itself(
    client, discussion, member
):
    comment = DiscussionCommentFactory(page=discussion, author=member, chapter=2)
    client.force_login(member)
    response = client.post(
        f"/club/comments/{comment.pk}/edit/", {"body": "Better said.", "chapter": "2"}
    )
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    html, target = landing(client, response)
    status_at(target, "Your comment is updated.")
    assert html.count("Your comment is updated.") == 1


@pytest.mark.parametrize(
    ("action", "data", "said"),
    [
        ("delete", {}, "Your comment is deleted."),
        ("report", {"reason": "Rude"}, "Thank you: the moderators will have a look."),
    ],
)
def test_a_deleted_or_reported_comment_is_confirmed_at_the_comments(
    client, discussion, member, other_member, action, data, said
):
    """The comment is gone (deleted) or stays as it was (reported): the
    confirmation heads the comments, where the redirect lands."""
    author = member if action == "delete" else other_member
    comment = DiscussionCommentFactory(page=discussion, author=author, chapter=2)
    client.force_login(member)
    response = client.post(f"/club/comments/{comment.pk}/{action}/", data)
    assert response["Location"].endswith("#comments")
    html, target = landing(client, response)
    heading_end = target.index("</h2>")
    status = target.index('role="status"')
    assert heading_end < status < target.index(said) < target.index("Add a comment")
    assert html.count(said) == 1
