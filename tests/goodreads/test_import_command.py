"""``manage.py import_goodreads``: bad rows reported by line, good rows kept,
non-zero exit only when nothing could be imported."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from reviews.goodreads.export import export_json
from reviews.models import Book, GoodreadsImport, ReviewPage, SeriesPage
from tests.goodreads.conftest import shared_indexes

from .helpers import book_row, export_csv, run_import

pytestmark = pytest.mark.django_db

indexes = shared_indexes()

FIXTURES = Path(__file__).parent / "fixtures"


def call(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_goodreads", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "goodreads_library_export.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_command_imports_and_prints_a_summary(reader):
    out, err = call(str(FIXTURES / "export_31_columns.csv"), member="rita")

    assert out.splitlines()[0].startswith("Imported 11 of 11 rows: 11 new books,")
    assert "line 8: Year -700 is not stored" in out
    assert err == ""
    assert Book.objects.count() == 11
    assert ReviewPage.objects.filter(live=False).count() == 7


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_import(reader):
    out, err = call(str(FIXTURES / "export_bad_rows.csv"), member="rita")

    assert out.startswith("Imported 5 of 12 rows:")
    assert err.splitlines() == [
        "line 5: My Rating: '6' is not a rating from 0 (unrated) to 5.",
        "line 10: Date Added: '2019-05-03' is not a date in the form YYYY/MM/DD.",
        "line 11: ISBN13: ISBN-13 '9780553588959' has check digit 9, expected 8.",
        "line 12: Title: missing.",
        "line 16: Expected 31 fields as in the header, found 8.",
        "line 17: My Rating: '4.5' is not a rating from 0 (unrated) to 5. "
        "Date Read: '2020/13/01' is not a valid date (month must be in 1..12).",
        "line 18: Spoiler: 'yes' is neither 'true' nor 'false'.",
    ]
    assert sorted(Book.objects.values_list("title", flat=True)) == [
        "Among Others",
        "Book 1001",
        "Book 1003",
        "Book 1007",
        "Book 1011",
    ]


def test_a_row_the_database_refuses_is_reported_and_the_others_still_import(
    reader,
):
    too_long = "A" * 300
    report = run_import(
        [book_row("Before", My_Review="Fine."),
         book_row(too_long, My_Review="Too long a title."),
         book_row("After (Series, #1)", My_Review="Fine too.")],
        reader,
    )  # fmt: skip

    assert report.rows_imported == 2
    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "title: Ensure this value has at most 255 characters (it has 300).")
    ]
    assert sorted(Book.objects.values_list("title", flat=True)) == ["After", "Before"]
    assert ReviewPage.objects.count() == 2


def test_nothing_importable_exits_non_zero(reader, tmp_path):
    data = export_csv([book_row("", My_Rating="9"), book_row("No date", Date_Read="x")])

    with pytest.raises(CommandError, match="no row of the export could be read"):
        call(write(tmp_path, data), member="rita")
    assert not Book.objects.exists()


def test_a_file_that_is_not_an_export_exits_non_zero(reader, tmp_path):
    with pytest.raises(CommandError, match="lacks required column"):
        call(write(tmp_path, "name,email\nRita,rita@example.org\n"), member="rita")


def test_an_empty_export_exits_non_zero(reader, tmp_path):
    with pytest.raises(CommandError, match="no books in it"):
        call(write(tmp_path, export_csv([])), member="rita")


def test_an_unknown_member_is_a_clear_error(reader, tmp_path):
    with pytest.raises(CommandError, match="No member with the username 'nobody'"):
        call(write(tmp_path, export_csv([book_row("X")])), member="nobody")


def test_a_missing_file_is_a_clear_error(reader, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv"):
        call(str(tmp_path / "missing.csv"), member="rita")


def test_dry_run_and_publish_options(reader, tmp_path):
    path = write(tmp_path, export_csv([book_row("Farthing", My_Review="Chilling.")]))

    out, _ = call(path, member="rita", dry_run=True)
    assert out.startswith("Dry run, nothing saved. Imported 1 of 1 row:")
    assert not ReviewPage.objects.exists()

    out, _ = call(path, member="rita", publish=True)
    assert "1 review published" in out
    assert ReviewPage.objects.get().live


def test_a_second_run_succeeds_and_says_nothing_changed(reader, tmp_path):
    path = write(tmp_path, export_csv([book_row("Farthing", My_Review="Chilling.")]))
    call(path, member="rita")

    out, err = call(path, member="rita")

    assert out.strip() == "Imported 1 of 1 row: 1 unchanged since the last import."
    assert err == ""


def test_a_negative_book_id_is_a_bad_row(reader):
    report = run_import([book_row("Odd", Book_Id="-5"), book_row("Even")], reader)

    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "Book Id: -5 is not a Goodreads book id.")
    ]
    assert list(Book.objects.values_list("title", flat=True)) == ["Even"]


def test_a_row_that_fails_late_leaves_no_trace_in_the_data_or_the_counts(
    reader, monkeypatch
):
    """A database error after the row's book, series and review were saved:
    all of it rolls back, the report does not count it, and a later row of the
    same series does not lean on the series that no longer exists."""
    original_save = GoodreadsImport.save

    def save(record, *args, **kwargs):
        if record.goodreads_id == 666:
            raise DatabaseError("disk I/O error")
        return original_save(record, *args, **kwargs)

    monkeypatch.setattr(GoodreadsImport, "save", save)

    report = run_import(
        [book_row("Doomed (Cursed Saga, #1)", Book_Id="666", My_Review="Gone."),
         book_row("Survivor (Cursed Saga, #2)", Book_Id="667", My_Review="Here.")],
        reader,
    )  # fmt: skip

    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "could not be saved (DatabaseError).")
    ]
    assert list(Book.objects.values_list("title", flat=True)) == ["Survivor"]
    series = SeriesPage.objects.get()
    assert [book["title"] for book in series.books] == ["Survivor"]
    assert ReviewPage.objects.get().book.title == "Survivor"
    assert (
        report.books_created,
        report.series_created,
        report.series_placed,
        report.reviews_created,
        report.progress_saved,
        report.rows_imported,
    ) == (1, 1, 1, 1, 1, 1)


def test_the_command_reads_the_clubs_json_export_back(reader, other_reader, tmp_path):
    run_import(
        [book_row("Farthing", My_Review="Chilling <spoiler>x</spoiler>")], reader
    )
    path = tmp_path / "reading_export.json"
    path.write_text(json.dumps(export_json(reader)), encoding="utf-8")

    mine, _ = call(str(path), member="rita")
    theirs, _ = call(str(path), member="otto")

    assert mine.strip() == "Imported 1 of 1 row."  # nothing new, nothing changed
    assert "1 new review" in theirs
    assert ReviewPage.objects.filter(reviewer=other_reader, live=False).count() == 1


def test_a_row_that_is_not_utf8_is_reported_and_the_others_import(reader, tmp_path):
    """An export edited in a program that saved one title as Latin-1: the
    command names that line and imports the rest, as for any bad row."""
    lines = (FIXTURES / "export_31_columns.csv").read_bytes().split(b"\n")
    header, first, second = lines[0], lines[1], lines[2]
    path = tmp_path / "goodreads_library_export.csv"
    broken = first.replace(b",", b",Caf\xe9 ", 1)
    path.write_bytes(b"\n".join([header, broken, second, b""]))

    out, err = call(str(path), member="rita")

    assert out.startswith("Imported 1 of 2 rows:")
    assert err.splitlines()[0].startswith("line 2: Not UTF-8 text")
    assert Book.objects.count() == 1
