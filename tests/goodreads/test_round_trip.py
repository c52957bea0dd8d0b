"""A member's export, imported back, gives the club exactly what it had: each
spoiler's book, chapter and label, no second copy of a review, and no draft
published on the way."""

from __future__ import annotations

import io

import pytest

from reviews.goodreads.export import export_csv
from reviews.models import Book, ReviewPage
from tests.factories import BookFactory, make_review, spoiler
from tests.factories import paragraph as para

from .helpers import book_row, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def siege(indexes) -> Book:
    return BookFactory(
        title="The Siege", author="Helen Dunmore", isbn13="9780141046204"
    )


@pytest.fixture
def betrayal(indexes) -> Book:
    return BookFactory(title="The Betrayal", author="Helen Dunmore", isbn13=None)


@pytest.fixture
def betrayal_review(reader, siege, betrayal) -> ReviewPage:
    """A live review of The Betrayal that spoils The Siege up to chapter 7,
    and its own book to the end."""
    return make_review(
        book=betrayal,
        owner=reader,
        reviewer=reader,
        rating=4.0,
        body=[
            para("Quieter than the first book."),
            spoiler(siege, 7, "What the first winter costs", "Anna's father dies."),
            para("Worth it."),
            spoiler(betrayal, None, "How it ends", "Andrei is released."),
        ],
    )


def csv_of(member) -> str:
    out = io.StringIO()
    export_csv(member, out)
    return out.getvalue()


def spoilers(page: ReviewPage) -> list[tuple[int | None, int | None, str]]:
    """(spoiled book, chapter, label) of each spoiler in the latest revision."""
    body = page.get_latest_revision_as_object().body
    return [
        (
            block.value["spoils"].pk if block.value["spoils"] else None,
            block.value["chapter"],
            block.value["label"],
        )
        for block in body
        if block.block_type == "spoiler"
    ]


def test_a_spoiler_of_another_book_keeps_its_book_chapter_and_label(
    betrayal_review, other_reader, siege, betrayal
):
    report = run_import(csv_of(betrayal_review.reviewer), other_reader)

    assert not report.errors
    copy = ReviewPage.objects.get(reviewer=other_reader)
    assert spoilers(copy) == [
        (siege.pk, 7, "What the first winter costs"),
        (betrayal.pk, None, "How it ends"),
    ]


def test_a_spoiled_book_the_club_lacks_is_added_not_taken_for_the_reviewed_one(
    reader,
):
    review = (
        'Fine. <spoiler label="What the first winter costs" book="The Siege" '
        'author="Helen Dunmore" chapter="7">Anna\'s father dies.</spoiler>'
    )
    report = run_import(
        [book_row("The Betrayal", "Helen Dunmore", My_Review=review)], reader
    )

    assert not report.errors and report.books_created == 2
    siege = Book.objects.get(title="The Siege")
    assert siege.author == "Helen Dunmore"
    assert spoilers(ReviewPage.objects.get()) == [
        (siege.pk, 7, "What the first winter costs")
    ]
