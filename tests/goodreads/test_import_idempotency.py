"""Running an import again creates nothing, and never overwrites what the
member changed since."""

from pathlib import Path

import pytest
from wagtail.models import PageLogEntry, Revision

from reviews.models import (
    Book,
    GoodreadsImport,
    ReadingProgress,
    ReviewPage,
    SeriesEntry,
    SeriesPage,
)
from tests.goodreads.conftest import shared_indexes

from .helpers import book_row, export_csv, run_import, stream_without_ids

pytestmark = pytest.mark.django_db

indexes = shared_indexes()

FIXTURES = Path(__file__).parent / "fixtures"


def snapshot() -> dict:
    return {
        "books": list(Book.objects.values_list("pk", "title", "isbn13")),
        "reviews": list(
            ReviewPage.objects.values_list("pk", "latest_revision_id", "live")
        ),
        "revisions": Revision.objects.count(),
        "logs": PageLogEntry.objects.count(),
        "series": list(SeriesPage.objects.values_list("pk", "title")),
        "entries": list(SeriesEntry.objects.values_list("series_id", "book_id")),
        "progress": list(
            ReadingProgress.objects.values_list(
                "book_id",
                "chapter",
                "finished",
                "started_at",
                "finished_at",
                "updated_at",
            )
        ),  # fmt: skip
        "records": list(GoodreadsImport.objects.values_list("pk", "updated_at")),
    }


@pytest.mark.parametrize(
    "name", ["export_31_columns.csv", "export_24_columns.csv", "export_bom.csv"]
)
def test_importing_the_same_file_again_changes_nothing(reader, name):
    data = (FIXTURES / name).read_text(encoding="utf-8-sig")
    first = run_import(data, reader)
    before = snapshot()

    second = run_import(data, reader)

    assert snapshot() == before
    assert second.ok
    assert second.rows_unchanged == second.rows_imported == first.rows_imported
    assert (
        second.books_created,
        second.reviews_created,
        second.reviews_updated,
        second.progress_saved,
        second.series_created,
        second.series_placed,
    ) == (0, 0, 0, 0, 0, 0)


def test_the_other_header_variant_of_the_same_export_is_the_same_import(reader):
    rows = [
        book_row("Among Others", My_Rating=5, My_Review="Books about books."),
        book_row("Farthing (Small Change, #1)", Exclusive_Shelf="to-read"),
    ]
    run_import(rows, reader, header="31")
    before = snapshot()

    report = run_import(rows, reader, header="24")

    assert snapshot() == before
    assert report.rows_unchanged == 2


def edit_review(page: ReviewPage, text: str) -> None:
    draft = page.get_latest_revision_as_object()
    draft.body = [{"type": "paragraph", "value": f"<p>{text}</p>"}]
    draft.save_revision(user=page.owner)


def test_a_review_the_member_edited_is_left_alone_and_reported(reader):
    row = book_row("Among Others", My_Rating=4, My_Review="First thoughts.")
    run_import([row], reader)
    page = ReviewPage.objects.get()
    edit_review(page, "My own words now.")
    edited_revision = ReviewPage.objects.get().latest_revision_id

    same = run_import([row], reader)
    changed = run_import(
        [{**row, "My Review": "Goodreads text, changed.", "My Rating": "2"}], reader
    )

    page = ReviewPage.objects.get()
    assert page.latest_revision_id == edited_revision
    latest = page.get_latest_revision_as_object()
    assert stream_without_ids(latest.body) == [
        {"type": "paragraph", "value": "<p>My own words now.</p>"}
    ]
    assert latest.rating == 4.0
    for report in (same, changed):
        assert report.reviews_kept == 1 and report.reviews_updated == 0
        assert [note.message for note in report.notes] == [
            "Your review of Among Others was edited after it was imported; "
            "it is left as it is."
        ]


def test_an_unedited_review_follows_a_changed_export(reader):
    row = book_row("Among Others", My_Rating=4, My_Review="First thoughts.")
    run_import([row], reader)

    report = run_import(
        [{**row, "My Review": "Second <spoiler>secret</spoiler> thoughts.",
          "My Rating": "3"}],
        reader,
    )  # fmt: skip

    assert report.reviews_updated == 1 and report.reviews_created == 0
    page = ReviewPage.objects.get()
    assert not page.live
    latest = page.get_latest_revision_as_object()
    assert latest.rating == 3.0
    assert [block["type"] for block in stream_without_ids(latest.body)] == [
        "paragraph",
        "spoiler",
        "paragraph",
    ]
    assert page.revisions.count() == 2


def test_a_resave_without_changes_does_not_count_as_an_edit(reader):
    row = book_row("Among Others", My_Review="First thoughts.")
    run_import([row], reader)
    page = ReviewPage.objects.get()
    page.get_latest_revision_as_object().save_revision(user=reader)

    report = run_import([{**row, "My Review": "Better thoughts."}], reader)

    assert report.reviews_updated == 1 and report.reviews_kept == 0


def test_a_review_the_member_deleted_is_not_imported_again(reader):
    row = book_row("Among Others", My_Review="First thoughts.")
    run_import([row], reader)
    ReviewPage.objects.get().delete()

    same = run_import([row], reader)
    changed = run_import([{**row, "My Review": "New thoughts."}], reader)

    assert not ReviewPage.objects.exists()
    assert same.reviews_created == changed.reviews_created == 0
    assert [note.message for note in changed.notes] == [
        "Your review of Among Others was deleted after it was imported; "
        "it is not imported again."
    ]


def test_publish_on_a_second_run_leaves_the_drafts_drafts(reader):
    """A draft in the club is published by an editor, never by an import."""
    rows = [
        book_row("Among Others", My_Review="Lovely."),
        book_row("Farthing", My_Review="Chilling."),
    ]
    run_import(rows, reader)
    edit_review(ReviewPage.objects.get(book__title="Farthing"), "Rewritten.")

    report = run_import(rows, reader, publish=True)

    assert report.reviews_published == 0 and report.reviews_kept == 1
    assert not ReviewPage.objects.get(book__title="Among Others").live
    assert not ReviewPage.objects.get(book__title="Farthing").live


def test_a_dry_run_saves_nothing_and_reports_what_a_real_run_does(reader):
    data = export_csv(
        [book_row("Among Others", My_Review="Lovely.", Date_Read="2020/01/01"),
         book_row("The Betrayal (The Siege, #2)", Exclusive_Shelf="to-read"),
         book_row("", My_Review="No title.")]
    )  # fmt: skip

    dry = run_import(data, reader, dry_run=True)
    assert not Book.objects.exists()
    assert not ReviewPage.objects.exists()
    assert not GoodreadsImport.objects.exists()
    assert not SeriesPage.objects.exists()

    real = run_import(data, reader)
    assert dry.dry_run and not real.dry_run
    assert dry.summary() == "Dry run, nothing saved. " + real.summary()
    assert [(e.line, e.reason) for e in dry.errors] == [
        (e.line, e.reason) for e in real.errors
    ]
