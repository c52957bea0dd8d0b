"""A visitor can say on a discussion how far they have read.

Questions about a chapter and comments about one wait for the reader's
progress; a visitor had no progress to give, only a link to open each
question or range of comments. The discussion now offers the same GET form
as a review with spoilers: its answer is ``read=``, and what waits up to
there opens, on that address only.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import (
    BookFactory,
    DiscussionCommentFactory,
    UserFactory,
    make_discussion,
)

pytestmark = pytest.mark.django_db


def _question(text: str, chapter: int | None) -> dict:
    return {
        "type": "question",
        "value": {"question": text, "book": None, "chapter": chapter},
    }


@pytest.fixture
def meeting():
    def build(chapter_count: int | None):
        book = BookFactory(title="The Siege", chapter_count=chapter_count)
        page = make_discussion(
            book=book,
            questions=[_question("OPENQUESTION", None), _question("GATEDQUESTION", 5)],
        )
        author = UserFactory(username="bruno")
        for chapter in (12, None):
            DiscussionCommentFactory(
                page=page,
                author=author,
                chapter=chapter,
                body=f"COMMENT-{chapter or 'END'}",
            )
        return book, page

    return build


def _options(html: str, book) -> list[str]:
    form = re.search(r'<form class="read-form".*?</form>', html, re.S)
    assert form, "the discussion carries the form"
    select = re.search(
        rf'<select name="read" id="read-{book.pk}">(.*?)</select>', form.group(0), re.S
    )
    assert select
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_a_visitor_is_offered_every_chapter_of_a_counted_book(meeting):
    book, page = meeting(30)
    html = Client().get(page.url).content.decode()

    assert _options(html, book) == [
        "",
        *(f"{book.pk}:{chapter}" for chapter in range(1, 31)),
        str(book.pk),
    ]
    for hidden in ("GATEDQUESTION", "COMMENT-12", "COMMENT-END"):
        assert hidden not in html


def test_the_answer_opens_what_waits_up_to_there_and_no_further(meeting):
    book, page = meeting(30)
    response = Client().get(page.url, {"read": [f"{book.pk}:12"]})
    html = response.content.decode()

    assert "GATEDQUESTION" in html
    assert "COMMENT-12" in html
    assert "COMMENT-END" not in html
    assert "private" in response["Cache-Control"]
    assert _options(html, book) == [
        "",
        *(f"{book.pk}:{chapter}" for chapter in range(13, 31)),
        str(book.pk),
    ]
    assert f'<input type="hidden" name="read" value="{book.pk}:12">' in html


def test_without_a_chapter_count_the_waiting_chapters_are_offered(meeting):
    """The gated question's chapter, the end of the hidden comments' range
    (chapters 11–15), then the end."""
    book, page = meeting(None)
    html = Client().get(page.url).content.decode()
    assert _options(html, book) == ["", f"{book.pk}:5", f"{book.pk}:15", str(book.pk)]


def test_nothing_waiting_means_no_form(meeting):
    book, page = meeting(30)
    html = Client().get(page.url, {"read": str(book.pk)}).content.decode()
    assert "COMMENT-END" in html
    assert 'class="read-form"' not in html


def test_a_member_records_progress_instead(meeting, client):
    _book, page = meeting(30)
    client.force_login(UserFactory(username="reader"))
    html = client.get(page.url).content.decode()
    assert 'class="read-form"' not in html
    assert "Save progress" in html


def test_the_discussion_says_back_what_the_visitor_said(meeting):
    """As a review does: what the visitor said, and a link that closes it."""
    book, page = meeting(30)
    html = Client().get(page.url, {"read": [f"{book.pk}:12"]}).content.decode()
    said = re.search(r'<p class="read-said">(.*?)</p>', html, re.S)
    assert said, "the page says it back"
    assert "<cite>The Siege</cite> up to chapter 12" in said.group(1)
    assert f'<a href="{page.url}">' in said.group(1)
    assert 'class="read-said"' not in Client().get(page.url).content.decode()
