"""A visitor can say on the page how far they have read.

The pages always honoured ``read=`` (what an anonymous reader has read), yet
only an API client could send it: a visitor was offered a login link and one
"Show this spoiler" link a block. The spoiler alert now carries a GET form,
one choice a book the review spoils, whose answer is ``read=``: the spoilers
up to there open, marked "you have read this far", for that address only,
never in a shared copy.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from .conftest import shared_review
from .helpers import ENDING_MARKER, LATER_MARKER, MARKER

pytestmark = pytest.mark.django_db

siege, betrayal, review = shared_review()


def _form(html: str) -> str:
    found = re.search(r'<form class="read-form".*?</form>', html, re.S)
    assert found, "the spoiler alert carries the form"
    return found.group(0)


def _choices(form: str) -> dict[str, list[str]]:
    """Each select's options' values, by the select's id."""
    return {
        select_id: re.findall(r'<option value="([^"]*)"', options)
        for select_id, options in re.findall(
            r'<select name="read" id="([^"]+)">(.*?)</select>', form, re.S
        )
    }


def _declared(form: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="read" value="([^"]*)">', form)


def test_a_visitor_is_offered_each_spoiled_books_thresholds(
    client, review, siege, betrayal
):
    response = client.get(review.url)
    form = _form(response.content.decode())

    assert 'method="get"' in form
    assert f'action="{review.url}"' in form
    assert _choices(form) == {
        f"read-{betrayal.pk}": [
            "",
            f"{betrayal.pk}:5",
            f"{betrayal.pk}:20",
            str(betrayal.pk),
        ],
        f"read-{siege.pk}": ["", str(siege.pk)],
    }
    assert _declared(form) == []
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        assert marker not in response.content.decode()


def test_the_answer_opens_what_was_read_and_nothing_further(
    client, review, betrayal, siege
):
    """What the form sends when the visitor picks chapter 5 of The Betrayal
    and leaves The Siege unanswered."""
    response = client.get(review.url, {"read": [f"{betrayal.pk}:5", ""]})
    html = response.content.decode()

    assert response.status_code == 200
    assert MARKER in html
    assert "You have read this far" in html
    assert LATER_MARKER not in html
    assert ENDING_MARKER not in html
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    form = _form(html)
    # What was said is kept for the next answer; what it opened is no longer offered.
    assert _declared(form) == [f"{betrayal.pk}:5"]
    assert _choices(form) == {
        f"read-{betrayal.pk}": ["", f"{betrayal.pk}:20", str(betrayal.pk)],
        f"read-{siege.pk}": ["", str(siege.pk)],
    }


def test_the_next_answer_adds_to_the_first(client, review, betrayal, siege):
    html = client.get(
        review.url, {"read": [f"{betrayal.pk}:5", "", str(siege.pk)]}
    ).content.decode()

    assert MARKER in html
    assert ENDING_MARKER in html
    assert LATER_MARKER not in html
    assert _declared(_form(html)) == [f"{betrayal.pk}:5", str(siege.pk)]


def test_a_visitors_answer_never_reaches_the_next_visitor(review, betrayal):
    """The anonymous page is served from a shared copy; the answered one must
    neither be stored as it nor be answered from it."""
    first = Client()
    assert MARKER not in first.get(review.url).content.decode()
    answered = Client().get(review.url, {"read": f"{betrayal.pk}:5"})
    assert MARKER in answered.content.decode()

    again = Client().get(review.url)
    assert MARKER not in again.content.decode()
    assert "read-form" in again.content.decode()


def test_a_member_records_progress_instead(client, review, reader_at_chapter_5):
    """A member's progress already opens what they have read: the member
    gets the progress forms, not a second way to say it."""
    client.force_login(reader_at_chapter_5)
    html = client.get(review.url).content.decode()
    assert 'class="read-form"' not in html
    assert "Save progress" in html


def test_a_reader_with_nothing_left_to_open_gets_no_form_but_the_way_back(
    client, review, betrayal, siege
):
    html = client.get(
        review.url, {"read": f"{betrayal.pk},{siege.pk}"}
    ).content.decode()
    assert 'class="read-form"' not in html
    said = _said(html)
    assert said is not None and f'<a href="{review.url}">' in said


def test_any_read_value_keeps_an_answer_out_of_shared_caches(client, betrayal):
    """The form sends an empty ``read=`` for each book left unanswered, so
    the last one is often empty: a response to such a query is private even
    where nothing built the reader (here a page that shows no spoiler)."""
    response = client.get("/", {"read": [f"{betrayal.pk}:5", ""]})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response.get("Cache-Control", "")


def _said(html: str) -> str | None:
    found = re.search(r'<p class="read-said">(.*?)</p>', html, re.S)
    return found.group(1) if found else None


def test_the_page_says_back_what_the_visitor_said_and_how_to_close_it(
    client, review, betrayal, siege
):
    """An answer opened spoilers and the page did not say so again, nor how
    to close them: the visitor had to edit the address. It says what they
    said, book by book, with a link to the page as it was."""
    html = client.get(
        review.url, {"read": [f"{betrayal.pk}:5", "", str(siege.pk)]}
    ).content.decode()

    said = _said(html)
    assert said is not None
    assert "<cite>The Betrayal</cite> up to chapter 5" in said
    assert "<cite>The Siege</cite> to the end" in said
    assert f'<a href="{review.url}">' in said

    closed = client.get(review.url).content.decode()
    assert _said(closed) is None
    assert MARKER not in closed


def test_a_member_is_told_nothing_of_read(
    client, review, betrayal, reader_at_chapter_5
):
    """A member's progress says how far she is; ``read=`` adds to it for
    that page, and the progress forms already say it."""
    client.force_login(reader_at_chapter_5)
    html = client.get(review.url, {"read": f"{betrayal.pk}:20"}).content.decode()
    assert _said(html) is None
