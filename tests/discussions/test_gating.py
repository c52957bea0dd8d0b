"""Comments are gated by the reader's progress, like spoilers."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import ReadingProgress
from reviews.response_cache import forget_local
from tests.discussions.conftest import shared_discussion
from tests.factories import (
    DiscussionCommentFactory,
    ReadingProgressFactory,
    UserFactory,
    bearer,
)

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()

CHAPTERS = [2, 5, 12, 15, 20, None]


@pytest.fixture
def spread(discussion, other_member):
    """One comment per chapter in CHAPTERS, each text saying its chapter."""
    return {
        chapter: DiscussionCommentFactory(
            page=discussion,
            author=other_member,
            chapter=chapter,
            body=f"TEXT-ABOUT-{chapter or 'END'}",
        )
        for chapter in CHAPTERS
    }


def split_page(html: str) -> tuple[str, str]:
    """The comments section: what is shown, and what is collapsed."""
    start = html.index('id="comments"')
    ends = [html.find(m, start) for m in ('id="comment-form"', "comments__login")]
    section = html[start : min(e for e in ends if e > 0)]
    marker = '<aside class="spoiler-alert comment-ranges"'
    if marker not in section:
        return section, ""
    at = section.index(marker)
    return section[:at], section[at:]


def shown_texts(html: str) -> set[str]:
    shown, _hidden = split_page(html)
    return {f"TEXT-ABOUT-{c or 'END'}" for c in CHAPTERS} & {
        word for word in shown.replace("<", " ").replace(">", " ").split()
    }


def test_a_member_at_chapter_5_sees_up_to_5_and_a_count_of_the_rest(
    client, discussion, spread, member, book
):
    progress = ReadingProgressFactory(member=member, book=book, chapter=5)
    client.force_login(member)
    response = client.get(discussion.url)
    html = response.content.decode()
    assert shown_texts(html) == {"TEXT-ABOUT-2", "TEXT-ABOUT-5"}
    assert (
        "4 comments about chapters 11–20 and the whole book are hidden until you "
        "get there" in html
    )
    _shown, hidden = split_page(html)
    assert "data-nosnippet" in hidden
    assert "Show 2 comments about chapters 6–10" not in hidden
    assert "Show 2 comments about chapters 11–15" in hidden
    assert "Show 1 comment about chapters 16–20" in hidden
    assert "Show 1 comment about the whole book, the ending included" in hidden
    for chapter in (12, 15, 20, None):
        assert f"TEXT-ABOUT-{chapter or 'END'}" not in html, "never sent"

    progress.chapter = 12
    progress.save()
    html = client.get(discussion.url).content.decode()
    assert shown_texts(html) == {"TEXT-ABOUT-2", "TEXT-ABOUT-5", "TEXT-ABOUT-12"}
    assert "3 comments about chapters 13–20 and the whole book are hidden" in html
    assert "Show 1 comment about chapters 13–15" in html


def test_finishing_the_book_shows_everything(client, discussion, spread, member, book):
    ReadingProgressFactory(member=member, book=book, finished=True)
    client.force_login(member)
    html = client.get(discussion.url).content.decode()
    assert len(shown_texts(html)) == len(CHAPTERS)
    assert "are hidden" not in html
    assert "comment-ranges" not in html


def test_anonymous_visitors_are_readers_with_no_progress(client, discussion, spread):
    response = client.get(discussion.url)
    html = response.content.decode()
    assert shown_texts(html) == set()
    assert "6 comments about chapters 1–20 and the whole book are hidden" in html
    assert response.context["discussion"].hidden.count == 6


def test_whole_book_comments_alone_wait_for_the_end(client, discussion, member, book):
    DiscussionCommentFactory(page=discussion, chapter=None, body="ENDING")
    ReadingProgressFactory(member=member, book=book, chapter=29)
    client.force_login(member)
    html = client.get(discussion.url).content.decode()
    assert "1 comment about the whole book is hidden until you finish it" in html


def test_a_hidden_reply_is_counted_not_sent(
    client, discussion, member, other_member, book
):
    parent = DiscussionCommentFactory(page=discussion, chapter=3, body="EARLY")
    DiscussionCommentFactory(
        page=discussion, parent=parent, chapter=10, body="LATE-REPLY"
    )
    ReadingProgressFactory(member=member, book=book, chapter=5)
    client.force_login(member)
    response = client.get(discussion.url)
    node = response.context["discussion"].threads[0]
    assert node.comment == parent
    assert node.replies == []
    html = response.content.decode()
    assert "EARLY" in html
    assert "LATE-REPLY" not in html
    assert "Show 1 comment about chapters 6–10" in html


def test_a_hidden_comment_with_a_visible_reply_is_a_hidden_placeholder(
    client, discussion, member, other_member, book
):
    """Its reply is sent; the comment it answers is neither sent nor called
    deleted: it is hidden until the reader reaches its chapter."""
    parent = DiscussionCommentFactory(
        page=discussion, author=other_member, chapter=22, body="LATE-PARENT"
    )
    DiscussionCommentFactory(
        page=discussion, parent=parent, chapter=1, body="EARLY-REPLY"
    )
    ReadingProgressFactory(member=member, book=book, chapter=5)
    client.force_login(member)
    html = client.get(discussion.url).content.decode()
    assert "EARLY-REPLY" in html
    assert "LATE-PARENT" not in html
    assert "deleted by its author" not in html
    assert "A comment about chapter 22, hidden until you get there." in html

    data = api_items(client, discussion)
    placeholder = next(item for item in data["items"] if item["id"] == parent.pk)
    assert placeholder["hidden"] is True
    assert placeholder["deleted"] is False and placeholder["removed"] is False
    assert placeholder["body"] is None and placeholder["author"] is None
    assert "LATE-PARENT" not in str(data) and "Bruno" not in str(data)


def test_spoilers_show_reveals_all_comments(client, discussion, spread):
    html = client.get(discussion.url, {"spoilers": "show"}).content.decode()
    assert len(shown_texts(html)) == len(CHAPTERS)


# -- API ---------------------------------------------------------------------


def api_items(client, discussion, **params):
    response = client.get(
        f"/api/v3/discussions/{discussion.pk}/comments/",
        params.pop("query", {}),
        **params,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_api_hides_text_by_progress(client, discussion, spread, book):
    data = api_items(client, discussion)
    assert data["hidden"]["count"] == 6
    assert data["items"] == []
    assert "TEXT-ABOUT" not in str(data)

    data = api_items(client, discussion, query={"read": f"{book.pk}:12"})
    shown = {item["chapter"] for item in data["items"]}
    assert shown == {2, 5, 12}
    ranges = data["hidden"].pop("ranges")
    assert [(r["from"], r["to"], r["count"]) for r in ranges] == [
        (13, 15, 1),
        (16, 20, 1),
        (None, None, 1),
    ]
    assert data["hidden"] == {
        "count": 3,
        "from_chapter": 15,
        "to_chapter": 20,
        "whole_book": True,
        "message": "3 comments about chapters 13–20 and the whole book are hidden "
        "until you get there",
    }
    data = api_items(client, discussion, query={"spoilers": "show"})
    assert data["hidden"]["count"] == 0
    assert {item["body"] for item in data["items"]} == {
        f"TEXT-ABOUT-{c or 'END'}" for c in CHAPTERS
    }


def test_api_uses_the_token_members_progress_and_read_adds_to_it(
    client, discussion, spread, member, book
):
    ReadingProgressFactory(member=member, book=book, chapter=5)
    headers = bearer(member)
    data = api_items(client, discussion, **headers)
    assert {i["chapter"] for i in data["items"] if not i["hidden"]} == {2, 5}
    data = api_items(client, discussion, query={"read": f"{book.pk}:15"}, **headers)
    assert {i["chapter"] for i in data["items"] if not i["hidden"]} == {2, 5, 12, 15}
    data = api_items(client, discussion, query={"read": f"{book.pk}:1"}, **headers)
    assert {i["chapter"] for i in data["items"] if not i["hidden"]} == {2, 5}


def test_api_responses_for_a_member_are_private(client, discussion, spread, member):
    response = client.get(
        f"/api/v3/discussions/{discussion.pk}/comments/", **bearer(member)
    )
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "params", [{"read": "x"}, {"spoilers": "please"}, {"limit": "0"}, {"limit": "999"}]
)
def test_api_bad_parameters_are_400(client, discussion, params):
    response = client.get(f"/api/v3/discussions/{discussion.pk}/comments/", params)
    assert response.status_code == 400
    assert response.json()


def test_api_pages_through_comments(client, discussion, spread):
    data = api_items(
        client, discussion, query={"limit": 2, "offset": 2, "spoilers": "show"}
    )
    assert data["count"] == len(CHAPTERS)
    assert [item["chapter"] for item in data["items"]] == [12, 15]


def test_api_single_comment_is_gated_too(client, discussion, spread, book):
    url = f"/api/v3/discussions/{discussion.pk}/comments/{spread[12].pk}/"
    hidden = client.get(url)
    assert hidden.status_code == 404
    assert b"TEXT-ABOUT" not in hidden.content
    assert client.get(url, {"read": str(book.pk)}).json()["body"] == "TEXT-ABOUT-12"
    assert client.get(url.replace(str(spread[12].pk), "999999")).status_code == 404


# -- Queries -------------------------------------------------------------------


def _comments(discussion, count: int) -> None:
    authors = [UserFactory() for _ in range(3)]
    parents = []
    for n in range(count):
        chapter = n % 25 + 1
        parent = parents[-1] if n % 3 == 2 else None
        comment = DiscussionCommentFactory(
            page=discussion,
            author=authors[n % 3],
            chapter=max(chapter, parent.chapter) if parent else chapter,
            parent=parent,
        )
        parents.append(comment)


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_comments(
    client, discussion, member, book, django_assert_max_num_queries
):
    ReadingProgress.objects.create(member=member, book=book, chapter=12)
    client.force_login(member)
    _comments(discussion, 3)
    # New comments move the content version on: what is worked out once per
    # version (the restricted pages, the sites' root paths) is read again by
    # the first request after them, then not.
    client.get(discussion.url)
    few = _count_queries(client, discussion.url)
    _comments(discussion, 27)
    assert discussion.comments.count() == 30
    client.get(discussion.url)
    with django_assert_max_num_queries(few) as queries:
        response = client.get(discussion.url)
    assert response.context["discussion"].count == 30
    assert response.context["discussion"].hidden.count > 0
    comment_queries = [
        q for q in queries.captured_queries if "reviews_discussioncomment" in q["sql"]
    ]
    assert len(comment_queries) == 1, "one query for all comments and authors"


def test_api_queries_do_not_grow_with_comments(client, discussion, member):
    headers = bearer(member)
    url = f"/api/v3/discussions/{discussion.pk}/comments/?limit=50"
    _comments(discussion, 3)
    client.get(url, **headers)  # warm up the token's last-used stamp
    few = _count_cold_queries(client, url)
    _comments(discussion, 27)
    # New comments move the content version on: what is worked out once per
    # version (the restricted pages) is read again once, then not.
    client.get(url, **headers)
    assert _count_cold_queries(client, url) == few


def _count_cold_queries(client, url) -> int:
    """The queries of a response built afresh: both counts above start
    with no stored copy, since a copy that comments have since passed by
    costs one more query (its versions are read before it is rebuilt)
    however many comments there are."""
    cache.clear()
    forget_local()
    return _count_queries(client, url)
