"""Books and series: matched when the club has them, created when not."""

from decimal import Decimal

import pytest
from wagtail.models import PageLogEntry

from reviews.models import Book, SeriesEntry, SeriesPage
from tests.factories import BookFactory, make_series

from .helpers import book_row, run_import

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", ["31", "24"])
def test_a_new_book_is_created_with_its_isbn_and_year(reader, header):
    report = run_import(
        [
            book_row(
                "Among Others",
                ISBN="0765331780",
                ISBN13="9780765331786",
                Original_Publication_Year="2011",
                Year_Published="2012",
            )
        ],
        reader,
        header=header,
    )

    assert report.ok and report.books_created == 1
    book = Book.objects.get()
    assert (book.title, book.author) == ("Among Others", "Jo Walton")
    assert book.isbn13 == "9780765331786"
    assert book.published_year == 2011  # the original publication, not the edition


def test_an_isbn10_only_row_gets_the_isbn13(reader):
    run_import([book_row("Tooth and Claw", ISBN="0765352281")], reader)

    assert Book.objects.get().isbn13 == "9780765352286"


def test_books_are_matched_by_isbn13_before_the_title(reader):
    club_copy = BookFactory(title="Among Others (hardback)", isbn13="9780765331786")

    report = run_import([book_row("Among Others", ISBN13="978-0-7653-3178-6")], reader)

    assert report.books_matched == 1 and report.books_created == 0
    assert list(Book.objects.all()) == [club_copy]
    assert reader.reading_progress.get().book == club_copy


def test_books_are_matched_by_title_and_author_ignoring_case_and_punctuation(
    reader,
):
    club_copy = BookFactory(title="The Lies of Locke Lamora", author="Scott Lynch")

    report = run_import(
        [book_row("the lies of locke-lamora", author="Scott  Lynch.")], reader
    )

    assert report.books_matched == 1
    assert Book.objects.count() == 1
    assert reader.reading_progress.get().book == club_copy


def test_same_title_by_another_author_is_another_book(reader):
    BookFactory(title="The Siege", author="Helen Dunmore")

    run_import([book_row("The Siege", author="K.J. Parker")], reader)

    assert sorted(Book.objects.values_list("author", flat=True)) == [
        "Helen Dunmore",
        "K.J. Parker",
    ]


def test_a_year_the_catalogue_cannot_hold_is_left_out_and_noted(reader):
    report = run_import(
        [book_row("The Odyssey", author="Homer", Original_Publication_Year="-700")],
        reader,
    )

    assert Book.objects.get().published_year is None
    assert report.rows_imported == 1
    assert [note.message for note in report.notes] == [
        "Year -700 is not stored: books take years 1 to 2100."
    ]


def test_a_series_in_the_title_creates_the_series_and_places_the_book(reader):
    report = run_import(
        [
            book_row("The Betrayal (The Siege, #2)", author="K.J. Parker"),
            book_row("Penric's Demon (World of the Five Gods, #3.5)", author="Lois"),
        ],
        reader,
    )

    assert report.series_created == 2 and report.series_placed == 2
    siege = SeriesPage.objects.get(title="The Siege")
    assert siege.live and siege.author == "K.J. Parker"
    assert siege.live_revision_id is not None
    # Published the usual way, so publish listeners (webhooks, caches) hear of it.
    assert PageLogEntry.objects.filter(page=siege, action="wagtail.publish").exists()
    assert siege.books == [
        {"id": Book.objects.get(title="The Betrayal").pk, "title": "The Betrayal",
         "position": 2}
    ]  # fmt: skip
    novella = SeriesEntry.objects.get(series__title="World of the Five Gods")
    assert novella.position == Decimal("3.5")


def test_an_existing_series_is_matched_and_gains_the_book(reader):
    first = BookFactory(title="The Siege", author="Helen Dunmore")
    series = make_series("The Siege", [(first, 1)], author="Helen Dunmore")

    report = run_import(
        [book_row("The Betrayal (the siege, #2)", author="Helen Dunmore")], reader
    )

    assert report.series_created == 0 and report.series_placed == 1
    assert [book["title"] for book in series.books] == ["The Siege", "The Betrayal"]
    assert SeriesPage.objects.count() == 1


def test_a_title_in_parentheses_that_is_no_series_stays_the_title(reader):
    run_import(
        [book_row("The Haunting of Hill House (Penguin Classics)", author="Jackson")],
        reader,
    )

    assert Book.objects.get().title == "The Haunting of Hill House (Penguin Classics)"
    assert not SeriesPage.objects.exists()


def test_without_a_series_index_books_still_import_and_the_report_says_so(db):
    from tests.factories import UserFactory, review_index

    review_index()
    member = UserFactory(username="solo")

    report = run_import([book_row("The Betrayal (The Siege, #2)")], member)

    assert report.ok and Book.objects.get().title == "The Betrayal"
    assert not SeriesEntry.objects.exists()
    assert report.warnings == [
        "The site has no series index page, so 1 book was not placed in its series."
    ]


def test_two_rows_of_the_same_new_book_create_it_once(reader):
    report = run_import(
        [book_row("Farthing", ISBN13="9780765352804"), book_row("Farthing")], reader
    )

    assert report.rows_imported == 2
    assert Book.objects.count() == 1
