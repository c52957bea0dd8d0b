"""An import updates the search and reference indexes once, at the end; spoiler
text never reaches the search index."""

import threading

import pytest
from django.db import connection
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backend

from reviews.indexing import indexing_deferred
from reviews.models import Book, ReviewPage, SeriesPage

from .helpers import book_row, run_import

pytestmark = pytest.mark.django_db


def found(model, query: str) -> list[str]:
    return [str(obj) for obj in get_search_backend().search(query, model)]


def test_imported_books_reviews_and_series_are_searchable(reader):
    run_import(
        [book_row("Quillfeather Tales (Quillfeather Saga, #1)", My_Review=(
            "Marvellously zesty. <spoiler>Grimblewick betrays everyone.</spoiler>"))],
        reader,
        publish=True,
    )  # fmt: skip

    assert found(Book, "Quillfeather") == ["Quillfeather Tales (Jo Walton)"]
    assert found(SeriesPage, "Quillfeather") == ["Quillfeather Saga"]
    assert found(ReviewPage.objects.live(), "zesty") == [
        "Rita Reader on Quillfeather Tales"
    ]
    assert found(ReviewPage, "Grimblewick") == []


def test_imported_reviews_are_in_the_reference_index(reader):
    run_import([book_row("Referenced", My_Review="Noted.")], reader)

    review = ReviewPage.objects.get()
    assert (
        ReferenceIndex.get_references_to(review.book)
        .filter(object_id=str(review.pk))
        .exists()
    )


def test_a_dry_run_leaves_the_search_index_as_it_was(reader):
    run_import([book_row("Zanzibarish", My_Review="Fine.")], reader, dry_run=True)

    assert found(Book, "Zanzibarish") == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_deferring_in_one_thread_does_not_stop_indexing_in_another():
    """Other requests keep updating the index while an import runs."""

    def save_elsewhere():
        try:
            Book.objects.create(title="Elsewhere Xylophone", author="Someone")
        finally:
            connection.close()

    with indexing_deferred([Book]):
        Book.objects.create(title="Deferred Xylophone", author="Someone")
        thread = threading.Thread(target=save_elsewhere)
        thread.start()
        thread.join()

    assert found(Book, "Xylophone") == ["Elsewhere Xylophone (Someone)"]
