"""Hidden comments are never sent: only counts per range of chapters, and one
range opened on purpose (no-JS link, reveal endpoint, API parameter)."""

import re

import pytest
from wagtail.models import PageViewRestriction

from tests.discussions.conftest import shared_discussion
from tests.factories import (
    DiscussionCommentFactory,
    ReadingProgressFactory,
    UserFactory,
    bearer,
)

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()

#: chapter → (text, author first name); every hidden author is unique.
SPREAD = {
    2: ("OPEN-TEXT-CH2", "Openauthor"),
    7: ("SECRET-TEXT-CH7", "Sevenauthor"),
    9: ("SECRET-TEXT-CH9", "Nineauthor"),
    12: ("SECRET-TEXT-CH12", "Twelveauthor"),
    None: ("SECRET-TEXT-END", "Endauthor"),
}


@pytest.fixture
def spread(discussion):
    return {
        chapter: DiscussionCommentFactory(
            page=discussion,
            chapter=chapter,
            body=text,
            author=UserFactory(first_name=name, last_name="Zq"),
        )
        for chapter, (text, name) in SPREAD.items()
    }


def reveal_url(discussion, chapter_range: str) -> str:
    return f"/club/reveal/{discussion.pk}/comments/{chapter_range}/"


def secrets(chapters=(7, 9, 12, None)) -> list[bytes]:
    return [word.encode() for chapter in chapters for word in SPREAD[chapter]]


def assert_nothing_hidden_in(content: bytes, chapters=(7, 9, 12, None)) -> None:
    leaked = [secret for secret in secrets(chapters) if secret in content]
    assert not leaked, f"sent: {leaked}"


# -- The page --------------------------------------------------------------------


def test_anonymous_page_sends_counts_not_comments(client, discussion, spread, book):
    ReadingProgressFactory(book=book, chapter=3)  # someone else's progress
    response = client.get(discussion.url)
    assert response.status_code == 200
    assert b"OPEN-TEXT-CH2" not in response.content  # chapter 2 is gated too
    assert_nothing_hidden_in(response.content, (2, 7, 9, 12, None))
    html = response.content.decode()
    assert "Show 1 comment about chapters 1–5" in html
    assert "Show 2 comments about chapters 6–10" in html
    assert "Show 1 comment about chapters 11–15" in html
    assert "Show 1 comment about the whole book, the ending included" in html
    assert 'href="?reveal_comments=6-10#comments-6-10"' in html
    assert f'data-reveal-url="{reveal_url(discussion, "6-10")}"' in html


def test_member_without_progress_is_sent_no_hidden_comment(
    client, discussion, spread, member
):
    client.force_login(member)
    response = client.get(discussion.url)
    assert_nothing_hidden_in(response.content, (2, 7, 9, 12, None))
    assert b"5 comments about chapters 1\xe2\x80\x9315 and the whole book" in (
        response.content
    )


def test_member_at_chapter_7_sees_up_to_7_and_counts_from_8(
    client, discussion, spread, member, book
):
    ReadingProgressFactory(member=member, book=book, chapter=7)
    client.force_login(member)
    response = client.get(discussion.url)
    assert b"OPEN-TEXT-CH2" in response.content
    assert b"SECRET-TEXT-CH7" in response.content
    assert_nothing_hidden_in(response.content, (9, 12, None))
    html = response.content.decode()
    assert 'href="?reveal_comments=8-10#comments-8-10"' in html
    assert "Show 1 comment about chapters 8–10" in html


def summary_and_buttons(html: str) -> tuple[str, list[str]]:
    """The hidden comments' heading, and the labels of its reveal links."""
    box = html[html.index('<aside class="spoiler-alert comment-ranges"') :]
    box = box[: box.index("</aside>")]
    heading = re.search(r"<h3[^>]*>(.*?)</h3>", box, re.S)
    assert heading is not None
    buttons = re.findall(r'class="comment-range__reveal"[^>]*>Show (.*?)</a>', box)
    return heading[1], buttons


def chapters_named(text: str) -> tuple[int, int]:
    """The first and last chapter in "chapters 6–10" or "chapter 7"."""
    match = re.search(r"chapters? (\d+)(?:–(\d+))?", text)
    assert match is not None, text
    return int(match[1]), int(match[2] or match[1])


@pytest.mark.parametrize("reached", [None, 3, 7])
def test_the_summary_names_the_chapters_its_buttons_open(
    client, discussion, spread, member, book, reached
):
    """The heading over the reveal links names the chapters those links open,
    from the first range's first chapter to the last range's last: the
    links decide what is revealed, so "about chapters 7–12" over links that
    open 6–10 and 11–15 would promise other chapters than they give."""
    if reached is not None:
        ReadingProgressFactory(member=member, book=book, chapter=reached)
    client.force_login(member)
    heading, buttons = summary_and_buttons(client.get(discussion.url).content.decode())
    numbered = [chapters_named(label) for label in buttons if "chapter" in label]
    assert numbered, buttons
    assert chapters_named(heading) == (numbered[0][0], numbered[-1][1])
    assert "the whole book" in heading
    assert buttons[-1].endswith("the whole book, the ending included")


def test_a_members_own_comment_is_always_shown_to_them(client, discussion, member):
    DiscussionCommentFactory(
        page=discussion, author=member, chapter=20, body="MY-OWN-LATE-THOUGHT"
    )
    client.force_login(member)
    assert b"MY-OWN-LATE-THOUGHT" in client.get(discussion.url).content
    client.logout()
    assert b"MY-OWN-LATE-THOUGHT" not in client.get(discussion.url).content


def test_opening_6_10_shows_that_range_only(client, discussion, spread):
    response = client.get(discussion.url, {"reveal_comments": "6-10"})
    assert response.status_code == 200
    assert b"SECRET-TEXT-CH7" in response.content
    assert b"SECRET-TEXT-CH9" in response.content
    assert b"Sevenauthor" in response.content
    assert_nothing_hidden_in(response.content, (2, 12, None))
    html = response.content.decode()
    assert "shown because you asked" in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "X-Robots-Tag" not in client.get(discussion.url)
    assert "Show 1 comment about chapters 11–15" in html


def test_opening_part_of_a_range_keeps_the_rest_counted(client, discussion, spread):
    response = client.get(discussion.url, {"reveal_comments": "8-10"})
    assert b"SECRET-TEXT-CH9" in response.content
    assert_nothing_hidden_in(response.content, (2, 7, 12, None))
    html = response.content.decode()
    assert 'id="comments-8-10"' in html
    assert "Show 1 comment about chapters 6–10" in html, "chapter 7 still counted"


def test_opening_the_ending_opens_nothing_else(client, discussion, spread):
    response = client.get(discussion.url, {"reveal_comments": "ending"})
    assert b"SECRET-TEXT-END" in response.content
    assert_nothing_hidden_in(response.content, (2, 7, 9, 12))


def test_a_page_opened_on_purpose_is_still_shared_with_anonymous_readers(
    client, discussion, spread
):
    first = client.get(discussion.url, {"reveal_comments": "6-10"})
    assert "public" in first["Cache-Control"]
    again = client.get(discussion.url, {"reveal_comments": "6-10"})
    assert again.content == first.content


@pytest.mark.parametrize("value", ["7", "10-6", "0-3", "x", "6-10,11-15"])
def test_a_malformed_range_on_the_page_is_a_400_page(client, discussion, value):
    response = client.get(discussion.url, {"reveal_comments": value})
    assert response.status_code == 400
    assert b"That link cannot be read" in response.content
    assert b"reveal_comments" in response.content


# -- The reveal endpoint -------------------------------------------------------


def test_the_endpoint_sends_one_range_the_same_for_everyone(
    client, discussion, spread, member
):
    response = client.get(reveal_url(discussion, "6-10"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"SECRET-TEXT-CH7" in response.content
    assert b"SECRET-TEXT-CH9" in response.content
    assert_nothing_hidden_in(response.content, (2, 12, None))
    assert b"csrfmiddlewaretoken" not in response.content
    assert b"<html" not in response.content, "a fragment, not a page"
    assert response["X-Robots-Tag"] == "noindex"

    client.force_login(member)
    as_member = client.get(reveal_url(discussion, "6-10"))
    assert as_member.content == response.content


def test_the_endpoint_is_cacheable_like_anonymous_pages(client, discussion, spread):
    response = client.get(reveal_url(discussion, "ending"))
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert response["ETag"]
    again = client.get(
        reveal_url(discussion, "ending"), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_the_endpoint_ignores_progress_and_read(client, discussion, spread, book):
    response = client.get(reveal_url(discussion, "11-15"), {"read": f"{book.pk}"})
    assert b"SECRET-TEXT-CH12" in response.content
    assert_nothing_hidden_in(response.content, (2, 7, 9, None))


def test_the_endpoint_leaves_out_removed_comments(client, discussion, spread):
    spread[7].removed = True
    spread[7].save()
    response = client.get(reveal_url(discussion, "6-10"))
    assert b"SECRET-TEXT-CH7" not in response.content
    assert b"SECRET-TEXT-CH9" in response.content


@pytest.mark.parametrize("value", ["7", "10-6", "0-3", "x", "6-10,11", "1-99999"])
def test_a_malformed_range_at_the_endpoint_is_a_400(client, discussion, value):
    response = client.get(reveal_url(discussion, value))
    assert response.status_code == 400
    assert b"That link cannot be read" in response.content


def assert_missing(client, url) -> None:
    """404 with the same page as an id no discussion has."""
    response = client.get(url)
    assert response.status_code == 404
    missing = client.get("/club/reveal/999999/comments/6-10/")
    assert response.content.replace(url.encode(), b"") == missing.content.replace(
        b"/club/reveal/999999/comments/6-10/", b""
    )
    assert_nothing_hidden_in(response.content)


def test_draft_restricted_and_unknown_discussions_look_missing(
    client, discussion, spread, member
):
    url = reveal_url(discussion, "6-10")
    PageViewRestriction.objects.create(
        page=discussion, restriction_type=PageViewRestriction.LOGIN
    )
    assert_missing(client, url)
    client.force_login(member)
    assert client.get(url).status_code == 404
    client.logout()

    PageViewRestriction.objects.all().delete()
    discussion.unpublish()
    assert_missing(client, url)


# -- API v3 ---------------------------------------------------------------------


def api(client, discussion, query=None, **headers):
    return client.get(
        f"/api/v3/discussions/{discussion.pk}/comments/", query or {}, **headers
    )


def test_api_sends_no_hidden_comment_only_ranges(client, discussion, spread, member):
    for headers in ({}, bearer(member)):
        response = api(client, discussion, **headers)
        assert response.status_code == 200
        assert_nothing_hidden_in(response.content, (2, 7, 9, 12, None))
        data = response.json()
        assert data["items"] == []
        assert [(r["from"], r["to"], r["count"]) for r in data["hidden"]["ranges"]] == [
            (1, 5, 1),
            (6, 10, 2),
            (11, 15, 1),
            (None, None, 1),
        ]
        assert data["hidden"]["ranges"][1]["key"] == "6-10"


def test_api_ranges_start_after_the_readers_progress(client, discussion, spread, book):
    data = api(client, discussion, {"read": f"{book.pk}:7"}).json()
    assert {item["body"] for item in data["items"]} == {
        "OPEN-TEXT-CH2",
        "SECRET-TEXT-CH7",
    }
    assert [(r["from"], r["to"], r["count"]) for r in data["hidden"]["ranges"]] == [
        (8, 10, 1),
        (11, 15, 1),
        (None, None, 1),
    ]


def test_api_message_names_the_chapters_its_ranges_open(
    client, discussion, spread, book
):
    hidden = api(client, discussion, {"read": f"{book.pk}:7"}).json()["hidden"]
    assert [r["key"] for r in hidden["ranges"]] == ["8-10", "11-15", "ending"]
    assert hidden["message"] == (
        "3 comments about chapters 8\u201315 and the whole book are hidden until "
        "you get there"
    )


def test_api_opens_one_range_on_purpose(client, discussion, spread):
    response = api(client, discussion, {"reveal_comments": "6-10"})
    assert response.status_code == 200
    assert_nothing_hidden_in(response.content, (2, 12, None))
    data = response.json()
    assert {item["body"] for item in data["items"]} == {
        "SECRET-TEXT-CH7",
        "SECRET-TEXT-CH9",
    }
    assert [r["key"] for r in data["hidden"]["ranges"]] == ["1-5", "11-15", "ending"]


def test_api_opened_range_is_no_longer_counted_as_hidden(client, discussion, spread):
    """The summary a client shows ("3 comments ... are hidden") counts what the
    answer leaves out, as its ranges do: not the comments it sends."""
    hidden = api(client, discussion, {"reveal_comments": "6-10"}).json()["hidden"]
    assert hidden["count"] == sum(r["count"] for r in hidden["ranges"]) == 3
    assert (hidden["from_chapter"], hidden["to_chapter"]) == (2, 12)
    assert hidden["whole_book"] is True
    assert hidden["message"] == (
        "3 comments about chapters 1\u201315 and the whole book are hidden until "
        "you get there"
    )


def test_api_malformed_range_is_problem_json(client, discussion):
    response = api(client, discussion, {"reveal_comments": "10-6"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["param"] == "reveal_comments"


def test_api_hidden_comment_looks_missing(client, discussion, spread):
    url = f"/api/v3/discussions/{discussion.pk}/comments/{spread[12].pk}/"
    hidden = client.get(url)
    missing = client.get(url.replace(str(spread[12].pk), "999999"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
