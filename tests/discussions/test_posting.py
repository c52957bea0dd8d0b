"""Posting comments and replies from the page and through API v3."""

import pytest
from django.test import Client

from reviews.models import DiscussionComment
from tests.discussions.conftest import shared_discussion
from tests.factories import DiscussionCommentFactory

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()


def post_url(discussion) -> str:
    return f"/club/discussions/{discussion.pk}/comments/"


def test_a_member_posts_from_the_page_and_sees_the_comment(client, discussion, member):
    client.force_login(member)
    response = client.post(
        post_url(discussion), {"body": "Tense from the first page.", "chapter": "1"}
    )
    comment = DiscussionComment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{discussion.url}#comment-{comment.pk}"
    assert (comment.author, comment.chapter) == (member, 1)
    html = client.get(discussion.url).content.decode()
    assert "Tense from the first page." in html
    assert "about chapter 1" in html


def test_a_comment_without_a_chapter_is_about_the_whole_book(
    client, discussion, member
):
    client.force_login(member)
    client.post(post_url(discussion), {"body": "The ending!", "chapter": ""})
    assert DiscussionComment.objects.get().chapter is None


def test_visitors_must_log_in_to_post(client, discussion):
    response = client.post(post_url(discussion), {"body": "Hello"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not DiscussionComment.objects.exists()
    html = client.get(discussion.url).content.decode()
    assert "to join the conversation" in html
    assert 'id="comment-form"' not in html


def test_posting_from_the_page_needs_the_csrf_token(discussion, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(post_url(discussion), {"body": "No token"})
    assert response.status_code == 403
    assert not DiscussionComment.objects.exists()


def test_replies_form_threads(client, discussion, member, other_member):
    parent = DiscussionCommentFactory(page=discussion, author=other_member, chapter=2)
    client.force_login(member)
    client.post(
        post_url(discussion),
        {"body": "A reply.", "chapter": "3", "parent": str(parent.pk)},
    )
    reply = DiscussionComment.objects.get(parent=parent)
    response = client.get(discussion.url, {"spoilers": "show"})
    threads = response.context["discussion"].threads
    assert [node.comment for node in threads] == [parent]
    assert [node.comment for node in threads[0].replies] == [reply]
    html = response.content.decode()
    parent_at = html.index(f'id="comment-{parent.pk}"')
    assert parent_at < html.index(f'id="comment-{reply.pk}"')
    assert "comments--replies" in html[parent_at:]


def test_a_reply_cannot_be_about_an_earlier_chapter(
    client, discussion, member, other_member
):
    parent = DiscussionCommentFactory(page=discussion, author=other_member, chapter=8)
    client.force_login(member)
    response = client.post(
        post_url(discussion),
        {"body": "Back to the start", "chapter": "2", "parent": str(parent.pk)},
    )
    assert response.status_code == 200
    assert "earlier chapter than the comment it answers" in response.content.decode()
    assert not DiscussionComment.objects.filter(parent=parent).exists()


def test_bad_input_shows_field_errors_and_keeps_the_text(client, discussion, member):
    client.force_login(member)
    response = client.post(
        post_url(discussion), {"body": "Keep me please", "chapter": "31"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "has only 30 chapters" in html
    assert "Keep me please" in html
    response = client.post(post_url(discussion), {"body": "   ", "chapter": "abc"})
    assert response.status_code == 200
    assert response.context["comment_form"].errors.keys() == {"body", "chapter"}
    too_long = client.post(post_url(discussion), {"body": "x" * 4001})
    assert "body" in too_long.context["comment_form"].errors
    assert not DiscussionComment.objects.exists()


def test_replying_to_a_comment_of_another_discussion_is_refused(
    client, discussion, member, book
):
    from tests.factories import make_discussion

    elsewhere = DiscussionCommentFactory(page=make_discussion(book=book))
    client.force_login(member)
    response = client.post(
        post_url(discussion), {"body": "Hi", "parent": str(elsewhere.pk)}
    )
    assert "cannot be answered" in response.content.decode()
    assert DiscussionComment.objects.count() == 1


def test_api_posts_with_a_token(client, discussion, member, member_headers):
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    response = client.post(
        url,
        {"body": "From the app", "chapter": 4},
        content_type="application/json",
        **member_headers,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    comment = DiscussionComment.objects.get()
    assert data["id"] == comment.pk
    assert data["author"] == {"display_name": "Alice Marsh"}
    assert (comment.author, comment.chapter) == (member, 4)
    assert comment.body == "From the app"
    reply = client.post(
        url,
        {"body": "Answering myself", "chapter": 4, "parent": comment.pk},
        content_type="application/json",
        **member_headers,
    )
    assert reply.status_code == 201
    assert reply.json()["parent"] == comment.pk


def test_api_refuses_anonymous_and_session_writes(client, discussion, member):
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    assert client.post(url, {"body": "x"}, "application/json").status_code == 401
    client.force_login(member)
    assert client.post(url, {"body": "x"}, "application/json").status_code == 401
    assert not DiscussionComment.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"body": ""},
        {"body": "x" * 4001},
        {"body": "ok", "chapter": 0},
        {"body": "ok", "chapter": 31},
        {"body": "ok", "chapter": "seven"},
        {"body": "ok", "parent": 999999},
        {"chapter": 3},
    ],
)
def test_api_answers_bad_input_with_400(client, discussion, member_headers, payload):
    response = client.post(
        f"/api/v3/discussions/{discussion.pk}/comments/",
        payload,
        content_type="application/json",
        **member_headers,
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not DiscussionComment.objects.exists()


def test_api_404s_for_a_missing_or_unpublished_discussion(
    client, discussion, member_headers
):
    discussion.unpublish()
    for url in (
        f"/api/v3/discussions/{discussion.pk}/comments/",
        "/api/v3/discussions/999999/comments/",
    ):
        assert client.get(url).status_code == 404
        response = client.post(
            url, {"body": "x"}, content_type="application/json", **member_headers
        )
        assert response.status_code == 404


XSS = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> '
    "javascript:alert(1) see https://example.org/a?b=1&c=<i>2</i> "
    '"><svg onload=alert(1)>'
)


def test_comment_text_is_escaped_and_links_are_safe(client, discussion, member):
    client.force_login(member)
    client.post(post_url(discussion), {"body": XSS, "chapter": ""})
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    body = html[html.index('class="comment__body"') :]
    body = body[: body.index("</div>")]
    assert "<script" not in body
    assert "<img" not in body
    assert "<svg" not in body
    assert "&lt;script&gt;" in body
    assert 'href="javascript' not in body
    assert 'href="https://example.org/a?b=1&amp;c="' in body
    assert 'rel="nofollow ugc noopener"' in body


def test_api_body_html_is_escaped_too(client, discussion, member, member_headers):
    DiscussionCommentFactory(page=discussion, author=member, body=XSS, chapter=1)
    item = client.get(
        f"/api/v3/discussions/{discussion.pk}/comments/", {"spoilers": "show"}
    ).json()["items"][0]
    assert item["body"] == XSS
    assert "<script" not in item["body_html"]
    assert "<img" not in item["body_html"]
    assert "&lt;script&gt;" in item["body_html"]


def test_an_api_reply_without_a_chapter_is_about_its_parents(
    client, discussion, member, other_member
):
    """As the page's reply form offers: a reply that does not say is about
    the chapter of the comment it answers, so a reader who sees that comment
    sees the reply. An explicit null is the whole book."""
    from tests.factories import bearer

    parent = DiscussionCommentFactory(page=discussion, author=other_member, chapter=2)
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    said = client.post(
        url,
        {"body": "Said nothing", "parent": parent.pk},
        "application/json",
        **bearer(member),
    )
    whole = client.post(
        url,
        {"body": "The ending", "parent": parent.pk, "chapter": None},
        "application/json",
        **bearer(member),
    )
    assert said.status_code == whole.status_code == 201, said.content
    assert said.json()["chapter"] == 2
    assert whole.json()["chapter"] is None
    listed = client.get(url, {"read": f"{discussion.book_id}:5"}).json()["items"]
    shown = {item["body"] for item in listed}
    assert "Said nothing" in str(listed) and "The ending" not in str(listed), shown
