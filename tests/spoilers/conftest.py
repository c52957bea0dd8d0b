"""A published review with spoilers of two books, and the readers who meet it.

The Betrayal (book 2) is reviewed; its spoilers reveal The Betrayal up to
chapter 5 (``MARKER``), up to chapter 20 (``LATER_MARKER``), and the ending
of The Siege (book 1, ``ENDING_MARKER``).
"""

import pytest

from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    make_review,
    make_series,
    paragraph,
    spoiler,
)

from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, OPEN_WORD


@pytest.fixture
def siege(db):
    return BookFactory(title="The Siege", chapter_count=30)


@pytest.fixture
def betrayal(db):
    return BookFactory(title="The Betrayal", chapter_count=25)


@pytest.fixture
def review(siege, betrayal):
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
