"""A book's chapter count lowered below a member's recorded progress.

An editor corrects The Long Book from 30 chapters to 20 after a member had
recorded chapter 25. Everywhere the member sees or edits that progress it
reads as all 20 chapters, the forms start from a value they accept, and the
chapter stored stays 25 until the member changes it: the spoilers it opened
stay open, and it counts again if the count goes back up.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reviews.models import ReadingProgress
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    make_review,
    spoiler,
    token_client,
)

pytestmark = pytest.mark.django_db

LATE = "LATE-CHAPTER-SECRET"
ENDING = "THE-ENDING-SECRET"


@pytest.fixture
def book():
    return BookFactory(title="The Long Book", chapter_count=30)


@pytest.fixture
def review(book):
    # Written while the book had 30 chapters: a spoiler up to chapter 25.
    return make_review(
        book=book,
        body=[
            spoiler(book, 25, "Late in the book", LATE),
            spoiler(book, None, "How it ends", ENDING),
        ],
    )


@pytest.fixture
def progress(book, member, review):
    progress = ReadingProgressFactory(member=member, book=book, chapter=25)
    book.chapter_count = 20
    book.save()
    return progress


def _form_url(book) -> str:
    return reverse("reviews:update_progress", args=(book.pk,))


def _text(html: str) -> str:
    return " ".join(html.split())


@pytest.mark.parametrize("where", ["my reading", "book page", "review page"])
def test_pages_say_every_chapter_is_read(client, member, book, review, progress, where):
    url = {
        "my reading": reverse("reviews:my_reading"),
        "book page": book.get_absolute_url(),
        "review page": review.url,
    }[where]
    client.force_login(member)
    html = _text(client.get(url).content.decode())
    form = html.split(f'id="progress-{book.pk}"')[1].split("</form>")[0]
    assert "You have read all 20 chapters." in form
    assert "25" not in form
    field = re.search(rf'<input[^>]*id="id_progress_{book.pk}_chapter"[^>]*>', form)
    assert field is not None
    field = field.group(0)
    assert 'value="20"' in field and 'max="20"' in field
    assert 'value="100"' in form, "the meter is full"


def test_the_member_still_sees_the_spoilers_they_reached(
    client, member, review, progress
):
    client.force_login(member)
    html = client.get(review.url).content.decode()
    assert LATE in html
    assert ENDING not in html, "not finished: the ending stays hidden"
    api = token_client(member).get(f"/api/v3/reviews/{review.pk}/").content.decode()
    assert LATE in api and ENDING not in api


def test_saving_the_form_as_shown_keeps_the_chapter_recorded(
    client, member, book, review, progress
):
    client.force_login(member)
    response = client.post(_form_url(book), {"chapter": "20", "next": review.url})
    assert response.status_code == 302, response.content.decode()
    assert ReadingProgress.objects.get(pk=progress.pk).chapter == 25
    assert LATE in client.get(review.url).content.decode()


def test_ticking_finished_works_and_loses_nothing(client, member, book, progress):
    client.force_login(member)
    response = client.post(_form_url(book), {"chapter": "20", "finished": "on"})
    assert response.status_code == 302, response.content.decode()
    saved = ReadingProgress.objects.get(pk=progress.pk)
    assert saved.finished and saved.chapter == 25


def test_a_chapter_the_member_changes_is_saved_and_checked(
    client, member, book, progress
):
    client.force_login(member)
    assert client.post(_form_url(book), {"chapter": "21"}).status_code == 200
    assert ReadingProgress.objects.get(pk=progress.pk).chapter == 25
    assert client.post(_form_url(book), {"chapter": "12"}).status_code == 302
    assert ReadingProgress.objects.get(pk=progress.pk).chapter == 12


def test_adding_the_book_again_from_my_reading_keeps_the_chapter(
    client, member, book, progress
):
    client.force_login(member)
    response = client.post(
        reverse("reviews:my_reading"), {"book_choice": book.pk, "chapter": "20"}
    )
    assert response.status_code == 302, response.content.decode()
    assert ReadingProgress.objects.get(pk=progress.pk).chapter == 25


def test_api_v3_shows_and_edits_it_the_same_way(member, book, progress):
    api = token_client(member)
    url = f"/api/v3/progress/{book.pk}/"
    assert api.get(url).json()["chapter"] == 20
    assert api.get("/api/v3/progress/").json()["items"][0]["chapter"] == 20

    response = api.patch(
        url, {"started_at": "2024-05-01"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["chapter"] == 20
    response = api.put(
        url,
        {"chapter": 20, "started_at": "2024-05-01"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert ReadingProgress.objects.get(pk=progress.pk).chapter == 25

    for chapter in (21, 25):
        response = api.patch(url, {"chapter": chapter}, content_type="application/json")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert "only 20 chapters" in response.content.decode()
    assert ReadingProgress.objects.get(pk=progress.pk).chapter == 25


def test_raising_the_count_again_shows_the_chapter_recorded(
    client, member, book, progress
):
    book.chapter_count = 30
    book.save()
    client.force_login(member)
    html = _text(client.get(reverse("reviews:my_reading")).content.decode())
    assert "You have read up to chapter 25 of 30." in html


def test_an_editor_can_still_save_the_record_in_the_admin(progress):
    progress.finished_at = None
    progress.full_clean()
