"""Taking a book off "My reading" asks first: a misclick loses nothing.

The control on My reading leads to a page that names the book and the
progress that would be lost, with a button that removes it (a ``POST``), as
Wagtail's own delete views do; it works without JavaScript.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import ReadingProgress
from tests.factories import BookFactory, ReadingProgressFactory, UserFactory

pytestmark = pytest.mark.django_db

MY_READING = "/reading/"


@pytest.fixture
def book():
    return BookFactory(title="The Siege", chapter_count=30)


@pytest.fixture
def progress(member, book):
    return ReadingProgressFactory(member=member, book=book, chapter=4)


def _remove_url(book) -> str:
    return reverse("reviews:remove_progress", args=(book.pk,))


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_my_reading_leads_to_a_question_not_a_removal(client, member, progress):
    client.force_login(member)
    html = client.get(MY_READING).content.decode()
    assert f'<a href="{_remove_url(progress.book)}"' in html
    assert f'action="{_remove_url(progress.book)}"' not in html, "no one-click post"


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_question_names_the_book_and_what_is_lost(client, member, progress, method):
    client.force_login(member)
    response = getattr(client, method)(_remove_url(progress.book))
    assert response.status_code == 200
    assert ReadingProgress.objects.filter(pk=progress.pk).exists()
    if method == "head":
        return
    html = response.content.decode()
    text = _text(html)
    assert "<title>Remove The Siege from your reading?" in html
    assert "Remove The Siege from your reading?" in text
    assert (
        "You have read up to chapter 4 of 30. Removing it forgets that, "
        "and the spoilers it opened will close again."
    ) in text
    action = re.escape(f'action="{_remove_url(progress.book)}"')
    form = re.search(rf'<form method="post" {action}[^>]*>.*?</form>', html, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    assert f'name="next" value="{MY_READING}"' in form.group(0)
    assert re.search(r'<button type="submit"[^>]*>Remove it</button>', form.group(0))
    assert f'<a href="{MY_READING}">Keep it</a>' in html


def test_finished_and_unstarted_books_say_so(client, member):
    finished = ReadingProgressFactory(member=member, finished=True).book
    listed = ReadingProgressFactory(member=member).book
    client.force_login(member)
    assert "You have finished it. Removing it forgets that" in _text(
        client.get(_remove_url(finished)).content.decode()
    )
    assert "It is on your list, not started yet." in _text(
        client.get(_remove_url(listed)).content.decode()
    )


def test_the_button_removes_it_and_goes_back(client, member, progress):
    client.force_login(member)
    response = client.post(_remove_url(progress.book), {"next": MY_READING})
    assert response.status_code == 302
    assert response["Location"] == MY_READING
    assert not ReadingProgress.objects.filter(pk=progress.pk).exists()
    page = client.get(MY_READING).content.decode()
    assert "Removed The Siege from your reading." in page


def test_next_stays_on_the_site(client, member, progress):
    client.force_login(member)
    html = client.get(
        _remove_url(progress.book), {"next": "https://evil.example/"}
    ).content.decode()
    assert "evil.example" not in html
    response = client.post(
        _remove_url(progress.book), {"next": "https://evil.example/"}
    )
    assert response["Location"] == MY_READING


def test_another_members_progress_is_a_404(client, member, progress):
    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    assert client.get(_remove_url(progress.book)).status_code == 404
    # A POST finds nothing of theirs to remove and goes back, as a second
    # click does: the same answer whether anyone else has the book or not.
    posted = client.post(_remove_url(progress.book))
    assert (posted.status_code, posted["Location"]) == (302, MY_READING)
    assert ReadingProgress.objects.filter(pk=progress.pk).exists()
    assert client.get(_remove_url(BookFactory())).status_code == 404


def test_visitors_are_sent_to_log_in(client, progress):
    for method in ("get", "post"):
        response = getattr(client, method)(_remove_url(progress.book))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert ReadingProgress.objects.filter(pk=progress.pk).exists()


def test_removing_needs_the_csrf_token(member, progress):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(_remove_url(progress.book)).status_code == 200
    assert client.post(_remove_url(progress.book)).status_code == 403
    assert ReadingProgress.objects.filter(pk=progress.pk).exists()


def test_a_second_click_goes_back_too(client, member, progress):
    """A double click posts twice: the second finds nothing to remove and
    goes back as the first did, adding no message of its own."""
    client.force_login(member)
    client.post(_remove_url(progress.book), {"next": MY_READING})
    again = client.post(_remove_url(progress.book), {"next": MY_READING})
    assert again.status_code == 302 and again["Location"] == MY_READING
    page = client.get(MY_READING).content.decode()
    assert page.count("Removed The Siege from your reading.") == 1


@pytest.mark.parametrize("where", ["question", "my reading"])
def test_a_members_reading_pages_are_never_stored(client, member, progress, where):
    """What a member has read is theirs: not kept by a browser for whoever
    uses it after them, nor by any cache on the way."""
    client.force_login(member)
    url = {
        "question": _remove_url(progress.book),
        "my reading": MY_READING,
    }[where]
    response = client.get(url)
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_question_again_after_removing_says_it_is_gone(client, member, progress):
    """The browser's Back button after "Remove it" asks for the question
    page again: it says the book is off the list, with the way back, rather
    than "Page not found" (Django's URL list, with DEBUG on)."""
    client.force_login(member)
    client.post(_remove_url(progress.book), {"next": MY_READING})
    again = client.get(_remove_url(progress.book), {"next": MY_READING})
    assert again.status_code == 404
    text = _text(again.content.decode())
    assert "The Siege is not on your reading list." in text
    assert f'href="{MY_READING}"' in again.content.decode()
    assert client.get(_remove_url(BookFactory())).status_code == 404
