"""A published review with spoilers of two books, and the readers who meet it.

The Betrayal (book 2) is reviewed; its spoilers reveal The Betrayal up to
chapter 5 (``MARKER``), up to chapter 20 (``LATER_MARKER``), and the ending
of The Siege (book 1, ``ENDING_MARKER``).
"""

from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest

from reviews.models import Book, ReviewPage
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    make_review,
    make_series,
    paragraph,
    spoiler,
)
from tests.fixtures.database import built_once, fresh_copies

from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, OPEN_WORD


@pytest.fixture
def siege(db):
    return _siege()


@pytest.fixture
def betrayal(db):
    return _betrayal()


@pytest.fixture
def review(siege, betrayal):
    return _review(siege, betrayal)


def _siege() -> Book:
    return BookFactory(title="The Siege", chapter_count=30)


def _betrayal() -> Book:
    return BookFactory(title="The Betrayal", chapter_count=25)


class BuiltReview(NamedTuple):
    siege: Book
    betrayal: Book
    review: ReviewPage


@pytest.fixture(scope="module")
def built_review(django_db_setup, django_db_blocker) -> Iterator[BuiltReview]:
    with built_once(django_db_blocker):
        siege, betrayal = _siege(), _betrayal()
        yield BuiltReview(siege, betrayal, _review(siege, betrayal))


def shared_review() -> tuple[Callable, ...]:
    """``siege``, ``betrayal`` and ``review`` built once for the module, for
    a module whose every test reads them (``siege, betrayal, review =
    shared_review()`` there): each test gets fresh copies from the
    database, and what it writes rolls back after it."""
    return fresh_copies("built_review", "siege", "betrayal", "review")


def _review(siege: Book, betrayal: Book) -> ReviewPage:
    make_series("Leningrad", [(siege, 1), (betrayal, 2)])
    return make_review(
        book=betrayal,
        title="After the siege",
        slug="after-the-siege",
        summary="Quieter than the first book, and more frightening.",
        rating=4.5,
        body=[
            paragraph(f"{OPEN_WORD} and open opinion."),
            spoiler(betrayal, 5, "An early turn", f"The {MARKER} turn."),
            spoiler(betrayal, 20, "Late in the book", f"The {LATER_MARKER} twist."),
            spoiler(siege, None, "How the first book ends", f"{ENDING_MARKER} lives."),
        ],
    )


@pytest.fixture
def reader_at_chapter_5(betrayal):
    """A member who has read The Betrayal up to chapter 5, no further."""
    member = UserFactory(username="reader5", first_name="Rita", last_name="Five")
    ReadingProgressFactory(member=member, book=betrayal, chapter=5)
    return member


@pytest.fixture
def finished_book_2_only(betrayal):
    member = UserFactory(username="sequelonly")
    ReadingProgressFactory(member=member, book=betrayal, finished=True)
    return member


@pytest.fixture
def finished_book_1(siege):
    member = UserFactory(username="firstbook")
    ReadingProgressFactory(member=member, book=siege, finished=True)
    return member


@pytest.fixture
def files_on_disk(settings, tmp_path):
    """Documents served from files, as every deployment has them (the test
    settings keep files in memory, where the download view finds none)."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    }
