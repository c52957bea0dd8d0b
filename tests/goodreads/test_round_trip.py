"""A member's export, imported back, gives the club exactly what it had: each
spoiler's book, chapter and label, no second copy of a review, and no draft
published on the way."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from wagtail.models import Revision

from reviews.goodreads.export import export_csv, export_json
from reviews.models import Book, ReadingProgress, ReviewPage
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    make_review,
    spoiler,
)
from tests.factories import paragraph as para
from tests.goodreads.conftest import shared_indexes

from .helpers import book_row, run_import, stream_without_ids

pytestmark = pytest.mark.django_db

indexes = shared_indexes()


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


@pytest.fixture
def library(reader, siege, betrayal, betrayal_review) -> dict[str, ReviewPage]:
    """Rita's reviews: the live one of The Betrayal, a draft, a live review
    with a pending revision, and one whose spoiler holds a quotation and
    formatting (which Goodreads flattens)."""
    farthing = BookFactory(title="Farthing", author="Jo Walton")
    odyssey = BookFactory(title="The Odyssey", author="Homer")
    walls = BookFactory(title="The Walls", author="Helen Dunmore")
    draft = make_review(
        book=farthing,
        owner=reader,
        reviewer=reader,
        live=False,
        body=[spoiler(farthing, 3, "Who is arrested", "Carmichael.")],
    )
    pending = make_review(
        book=odyssey,
        owner=reader,
        reviewer=reader,
        rating=3.5,
        body=[para("Long, and worth it.")],
    )
    revised = pending.get_latest_revision_as_object()
    revised.body = [
        para("Long."),
        spoiler(odyssey, 22, "The suitors", "Odysseus strings the bow."),
    ]
    revised.save_revision(user=reader)
    nested = make_review(
        book=walls,
        owner=reader,
        reviewer=reader,
        body=[
            {"type": "heading", "value": "The second winter"},
            {
                "type": "spoiler",
                "value": {
                    "spoils": siege.pk,
                    "chapter": None,
                    "label": "The end of the first book",
                    "content": [
                        para("<b>Anna</b> and <i>Andrei</i> survive."),
                        {
                            "type": "quote",
                            "value": {"text": "We lived.", "attribution": "Anna"},
                        },
                        para("Kolya grows up."),
                    ],
                },
            },
        ],
    )
    ReadingProgressFactory(
        member=reader, book=siege, finished=True, finished_at=date(2024, 5, 1)
    )
    ReadingProgressFactory(member=reader, book=odyssey, chapter=4)
    return {
        "betrayal": betrayal_review,
        "draft": draft,
        "pending": pending,
        "nested": nested,
    }


def club_state() -> dict:
    """Everything an import could change, exactly."""
    pages = []
    for page in ReviewPage.objects.order_by("pk"):
        latest = page.get_latest_revision_as_object()
        pages.append(
            {
                "id": page.pk,
                "title": page.title,
                "book": page.book_id,
                "reviewer": page.reviewer_id,
                "live": page.live,
                "pending": page.has_unpublished_changes,
                "latest_revision": page.latest_revision_id,
                "live_revision": page.live_revision_id,
                "rating": latest.rating,
                "summary": latest.summary,
                "spoilers": spoilers(page),
                "latest_body": stream_without_ids(latest.body),
                "live_body": stream_without_ids(page.body),
            }
        )
    return {
        "pages": pages,
        "revisions": Revision.objects.count(),
        "books": list(Book.objects.order_by("pk").values()),
        "progress": list(ReadingProgress.objects.order_by("pk").values()),
    }


def test_importing_ones_own_csv_export_changes_nothing(reader, library):
    before = club_state()

    report = run_import(csv_of(reader), reader)

    assert not report.errors, report.errors
    assert report.reviews_created == report.reviews_updated == 0
    assert club_state() == before
    # The Siege spoiler of the Betrayal review is still The Siege's, chapter 7.
    assert spoilers(library["betrayal"])[0][1:] == (7, "What the first winter costs")
    # And again: the second run is as quiet as the first.
    run_import(csv_of(reader), reader)
    assert club_state() == before


def test_importing_ones_own_export_with_publish_publishes_no_draft(reader, library):
    before = club_state()

    report = run_import(csv_of(reader), reader, publish=True)

    assert report.reviews_published == 0
    assert club_state() == before
    draft = ReviewPage.objects.get(pk=library["draft"].pk)
    assert not draft.live
    pending = ReviewPage.objects.get(pk=library["pending"].pk)
    assert pending.has_unpublished_changes
    assert "strings the bow" not in json.dumps(list(pending.body.raw_data))


def test_importing_ones_own_json_export_changes_nothing(reader, library):
    before = club_state()
    exported = json.dumps(export_json(reader))

    report = run_import(exported, reader, publish=True)

    assert report.ok and not report.errors, report.summary()
    assert report.rows_imported == len(export_json(reader)["books"])
    assert report.reviews_created == report.reviews_published == 0
    assert club_state() == before


def test_a_json_export_restores_spoilers_for_another_member(
    reader, other_reader, library, siege
):
    report = run_import(json.dumps(export_json(reader)), other_reader)

    assert report.reviews_created == 4 and not report.errors
    copy = ReviewPage.objects.get(
        reviewer=other_reader, book=library["betrayal"].book_id
    )
    assert spoilers(copy) == spoilers(library["betrayal"])


def test_a_bad_json_entry_is_reported_by_its_position(reader, library):
    data = export_json(reader)
    data["books"].insert(1, {"book": {"title": "", "author": "Nobody"}})
    before = club_state()

    report = run_import(json.dumps(data), reader)

    assert [(error.line, error.reason) for error in report.errors] == [
        (2, "title: missing.")
    ]
    assert report.rows_imported == len(data["books"]) - 1
    assert club_state() == before


def test_an_edit_made_on_goodreads_comes_back_as_a_draft_revision(
    reader, library, siege
):
    exported = csv_of(reader)
    edited = exported.replace("Worth it.", "Worth every page.")
    assert edited != exported
    page = library["betrayal"]
    published = stream_without_ids(page.body)

    report = run_import(edited, reader, publish=True)

    assert report.reviews_updated == 1 and report.reviews_created == 0
    page.refresh_from_db()
    assert page.live and page.has_unpublished_changes  # waits for moderation
    assert stream_without_ids(page.body) == published
    assert "Worth every page." in json.dumps(
        stream_without_ids(page.get_latest_revision_as_object().body)
    )
    assert spoilers(page)[0] == (siege.pk, 7, "What the first winter costs")
    assert ReviewPage.objects.filter(reviewer=reader).count() == 4


def test_a_review_edited_in_the_club_since_the_export_is_kept(reader, library):
    exported = csv_of(reader).replace("Worth it.", "Worth every page.")
    page = library["betrayal"]
    revised = page.get_latest_revision_as_object()
    revised.body = [para("Rewritten in the club.")]
    revised.save_revision(user=reader)
    before = club_state()

    report = run_import(exported, reader)

    assert report.reviews_kept == 1
    assert club_state() == before


def test_someone_elses_export_gives_them_their_own_copy(reader, other_reader, library):
    before = club_state()

    report = run_import(csv_of(reader), other_reader)

    assert report.reviews_created == 4
    assert club_state()["pages"][: len(before["pages"])] == before["pages"]
    copies = ReviewPage.objects.filter(reviewer=other_reader)
    assert not any(page.live for page in copies)
    by_book = {page.book_id: page for page in copies}
    assert spoilers(by_book[library["betrayal"].book_id]) == spoilers(
        library["betrayal"]
    )


def test_a_review_already_in_the_club_is_not_imported_twice(reader, library):
    """An export without the club's note (from Goodreads itself) for a book
    the member has reviewed here leaves that review alone."""
    before = club_state()
    row = book_row("The Betrayal", "Helen Dunmore", My_Review="Another take.")

    report = run_import([row], reader)

    assert report.reviews_created == 0 and report.reviews_kept == 1
    assert club_state()["pages"] == before["pages"]


@pytest.mark.parametrize("upc", ["0000000000000", "025192109523", "5012345678900"])
def test_a_product_code_in_isbn13_uses_the_isbn_with_a_warning(reader, upc):
    rows = [
        book_row("The Siege", "Helen Dunmore", ISBN="0141046201", ISBN13=upc),
        book_row("Farthing", My_Review="Chilling.", ISBN13=upc),
    ]

    report = run_import(rows, reader)

    assert not report.errors and report.rows_imported == 2
    assert Book.objects.get(title="The Siege").isbn13 == "9780141046204"
    assert Book.objects.get(title="Farthing").isbn13 is None
    assert [(note.line, note.message) for note in report.notes] == [
        (
            2,
            f"ISBN13 '{upc}' is a product code, not an ISBN: "
            "the ISBN column (0141046201) is used.",
        ),
        (
            3,
            f"ISBN13 '{upc}' is a product code, not an ISBN: "
            "the book is matched by title and author.",
        ),
    ]


def test_isbns_a_spreadsheet_rounded_or_trimmed_do_not_refuse_their_rows(reader):
    """A spreadsheet that saves the export again writes a 13-digit ISBN as
    it shows it, 9.78014E+12 (9,78014E+12 in a European locale), and drops
    an ISBN-10's leading zero: every such row was refused. The ISBN-10 is
    whole again with its zero (its check digit says so); the rounded ISBN13
    is set aside with a note, as a product code is."""
    siege = book_row("The Siege", "Helen Dunmore")
    siege.update({"ISBN": "141046201", "ISBN13": "9.78014E+12"})
    farthing = book_row("Farthing", My_Review="Chilling.")
    farthing.update({"ISBN": "", "ISBN13": "9,78077E+12"})

    report = run_import([siege, farthing], reader)

    assert not report.errors and report.rows_imported == 2
    assert Book.objects.get(title="The Siege").isbn13 == "9780141046204"
    assert Book.objects.get(title="Farthing").isbn13 is None
    assert [(note.line, note.message) for note in report.notes] == [
        (
            2,
            "ISBN13 '9.78014E+12' was rounded by a spreadsheet: "
            "the ISBN column (0141046201) is used.",
        ),
        (
            3,
            "ISBN13 '9,78077E+12' was rounded by a spreadsheet: "
            "the book is matched by title and author.",
        ),
    ]


def test_a_bad_line_is_reported_and_the_rest_of_the_export_imports(reader, library):
    lines = csv_of(reader).splitlines(keepends=True)
    broken = lines[:2] + ["not,a,goodreads,row\n"] + lines[2:]
    before = club_state()

    report = run_import("".join(broken), reader)

    assert [(error.line, error.reason) for error in report.errors] == [
        (3, "Expected 31 fields as in the header, found 4.")
    ]
    assert report.rows_imported == len(lines) - 1
    assert club_state() == before


def test_goodreads_link_markup_is_imported_as_plain_text(reader):
    review = (
        "Read [b:The Siege|123|The Siege (The Siege, #1)|Helen Dunmore|"
        "https://i.gr-assets.com/s.jpg|1] first, as [a:Helen Dunmore|456|"
        "Helen Dunmore|https://i.gr-assets.com/a.jpg] meant."
    )
    run_import([book_row("The Betrayal", "Helen Dunmore", My_Review=review)], reader)

    page = ReviewPage.objects.get()
    assert stream_without_ids(page.get_latest_revision_as_object().body) == [
        {
            "type": "paragraph",
            "value": "<p>Read The Siege first, as Helen Dunmore meant.</p>",
        }
    ]


def test_a_chapter_past_the_books_end_hides_the_whole_book(reader, siege):
    Book.objects.filter(pk=siege.pk).update(chapter_count=5)
    review = (
        '<spoiler label="What the first winter costs" book="The Siege" '
        'author="Helen Dunmore" chapter="7">Anna\'s father dies.</spoiler>'
    )

    report = run_import(
        [book_row("The Betrayal", "Helen Dunmore", My_Review=review)], reader
    )

    assert not report.errors and report.reviews_created == 1
    assert spoilers(ReviewPage.objects.get()) == [
        (siege.pk, None, "What the first winter costs")
    ]
    assert [note.message for note in report.notes] == [
        "A spoiler of The Siege up to chapter 7 now hides the whole book: "
        "it has 5 chapters here."
    ]
