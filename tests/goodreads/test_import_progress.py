"""Shelves become reading progress; progress a member has is never lowered."""

from datetime import date

import pytest

from reviews.models import Book, ReadingProgress
from tests.factories import BookFactory, ReadingProgressFactory
from tests.goodreads.conftest import shared_indexes

from .helpers import book_row, run_import

pytestmark = pytest.mark.django_db

indexes = shared_indexes()


def progress_of(member, title: str) -> ReadingProgress:
    return ReadingProgress.objects.get(member=member, book__title=title)


def test_the_read_shelf_is_finished_progress_with_the_date_read(reader):
    run_import([book_row("Among Others", Date_Read="2021/03/14")], reader)

    progress = progress_of(reader, "Among Others")
    assert progress.finished and progress.finished_at == date(2021, 3, 14)


def test_finishing_a_book_with_chapters_reaches_the_last_chapter(reader):
    BookFactory(title="The Siege", author="Helen Dunmore", chapter_count=30)

    run_import([book_row("The Siege", author="Helen Dunmore")], reader)

    assert progress_of(reader, "The Siege").chapter == 30


def test_currently_reading_is_started_progress_from_the_date_added(reader):
    run_import(
        [book_row("Gideon the Ninth", Exclusive_Shelf="currently-reading",
                  Date_Added="2023/06/01")],
        reader,
    )  # fmt: skip

    progress = progress_of(reader, "Gideon the Ninth")
    assert not progress.finished and progress.chapter is None
    assert progress.started_at == date(2023, 6, 1)


def test_to_read_puts_the_book_on_the_list_not_started(reader):
    run_import([book_row("Harrow the Ninth", Exclusive_Shelf="to-read")], reader)

    progress = progress_of(reader, "Harrow the Ninth")
    assert (progress.finished, progress.chapter, progress.started_at) == (
        False,
        None,
        None,
    )


def test_a_custom_shelf_records_the_book_but_no_progress(reader):
    report = run_import(
        [book_row("Good Omens", Exclusive_Shelf="did-not-finish")], reader
    )

    assert report.rows_imported == 1
    assert Book.objects.filter(title="Good Omens").exists()
    assert not ReadingProgress.objects.exists()


def test_progress_further_along_is_never_lowered(reader):
    siege = BookFactory(title="The Siege", author="Helen Dunmore", chapter_count=30)
    betrayal = BookFactory(title="The Betrayal", author="Helen Dunmore")
    ReadingProgressFactory(member=reader, book=siege, chapter=12, started_at=None)
    ReadingProgressFactory(
        member=reader, book=betrayal, finished=True, finished_at=date(2024, 1, 2)
    )

    report = run_import(
        [book_row("The Siege", author="Helen Dunmore", Exclusive_Shelf="to-read"),
         book_row("The Betrayal", author="Helen Dunmore",
                  Exclusive_Shelf="currently-reading")],
        reader,
    )  # fmt: skip

    assert report.rows_imported == 2 and report.progress_saved == 0
    assert progress_of(reader, "The Siege").chapter == 12
    betrayal_progress = progress_of(reader, "The Betrayal")
    assert betrayal_progress.finished
    assert betrayal_progress.finished_at == date(2024, 1, 2)


def test_progress_behind_the_export_is_raised(reader):
    siege = BookFactory(title="The Siege", author="Helen Dunmore")
    ReadingProgressFactory(member=reader, book=siege, chapter=3)

    run_import(
        [book_row("The Siege", author="Helen Dunmore", Date_Read="2020/02/02")],
        reader,
    )

    progress = progress_of(reader, "The Siege")
    assert progress.finished and progress.finished_at == date(2020, 2, 2)


def test_another_members_progress_is_untouched(reader, other_reader):
    siege = BookFactory(title="The Siege", author="Helen Dunmore")
    ReadingProgressFactory(member=other_reader, book=siege, chapter=2)

    run_import([book_row("The Siege", author="Helen Dunmore")], reader)

    assert progress_of(other_reader, "The Siege").chapter == 2
    assert not progress_of(other_reader, "The Siege").finished
    assert progress_of(reader, "The Siege").finished
