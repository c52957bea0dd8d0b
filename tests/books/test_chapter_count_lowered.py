"""A book's chapter count cannot be set below a chapter its club already names.

The count's help says spoilers and progress cannot name a later chapter, and
every form that names one refuses it. But an editor could lower the count
afterwards (30 to 10) under a member at chapter 20, a spoiler "up to chapter
23", comments about chapter 12: the member then read "all 10 chapters" beside
a spoiler of chapter 23 still closed to them. The book's own check now
refuses that count, in the admin and in the API, and says what names the
higher chapter.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reviews.models import Book
from reviews.stream_values import question
from tests.factories import (
    BookFactory,
    DiscussionCommentFactory,
    ReadingProgressFactory,
    make_discussion,
    make_review,
    paragraph,
    spoiler,
    token_client,
)

pytestmark = pytest.mark.django_db

BOOKS = "/api/v3/snippets/reviews.Book"


@pytest.fixture
def siege() -> Book:
    return BookFactory(title="The Siege", chapter_count=30)


def _lower(book: Book, count: int | None) -> None:
    book = Book.objects.get(pk=book.pk)
    book.chapter_count = count
    book.full_clean()


def _refusal(book: Book, count: int | None) -> str:
    with pytest.raises(ValidationError) as error:
        _lower(book, count)
    return " ".join(error.value.message_dict["chapter_count"])


def test_a_members_progress_holds_the_count_up(siege):
    ReadingProgressFactory(book=siege, chapter=25)
    message = _refusal(siege, 20)
    assert "chapter 25" in message and "reading progress" in message
    _lower(siege, 25)
    _lower(siege, 40)


def test_a_spoiler_in_another_books_review_holds_it_up(siege):
    """The normal case: the sequel's review spoils the first book."""
    sequel = BookFactory(title="The Betrayal", chapter_count=40)
    make_review(
        book=sequel,
        body=[paragraph("An opinion."), spoiler(siege, 23, "The siege's end", "x")],
    )
    make_review(book=siege, body=[spoiler(None, 21, "Its own book", "y")])
    message = _refusal(siege, 20)
    assert "chapter 23" in message and "spoiler" in message
    _lower(siege, 23)


def test_a_draft_reviews_spoiler_counts_too(siege):
    make_review(book=siege, live=False, body=[spoiler(None, 26, "Late", "z")])
    assert "chapter 26" in _refusal(siege, 25)


def test_comments_and_questions_hold_it_up(siege):
    discussion = make_discussion(
        book=siege, questions=[question("What now?", chapter=19)]
    )
    assert "chapter 19" in _refusal(siege, 18)
    DiscussionCommentFactory(page=discussion, chapter=22)
    message = _refusal(siege, 21)
    assert "chapter 22" in message and "comment" in message
    other = make_discussion(
        book=BookFactory(),
        questions=[question("And the first book?", book=siege.pk, chapter=24)],
    )
    assert other.pk and "chapter 24" in _refusal(siege, 23)


def test_a_count_given_for_the_first_time_is_checked(siege):
    Book.objects.filter(pk=siege.pk).update(chapter_count=None)
    ReadingProgressFactory(book=siege, chapter=31)
    assert "chapter 31" in _refusal(siege, 30)
    _lower(siege, None)  # no count: any chapter


def test_the_admin_and_the_api_say_so(siege, client, editor):
    ReadingProgressFactory(book=siege, chapter=25)
    client.force_login(editor)
    form = client.get(f"/admin/snippets/reviews/book/edit/{siege.pk}/")
    assert form.status_code == 200
    fields = dict(form.context["form"].initial)
    fields = {k: v for k, v in fields.items() if v is not None}
    fields |= {"title": siege.title, "author": siege.author, "chapter_count": 20}
    fields.pop("cover", None)
    answer = client.post(f"/admin/snippets/reviews/book/edit/{siege.pk}/", fields)
    assert answer.status_code == 200
    assert "chapter 25" in str(answer.context["form"].errors["chapter_count"])

    api = token_client(editor)
    changed = api.patch(
        f"{BOOKS}/{siege.pk}/", {"chapter_count": 20}, content_type="application/json"
    )
    assert changed.status_code == 400
    assert "chapter 25" in changed.content.decode()
    assert Book.objects.get(pk=siege.pk).chapter_count == 30
