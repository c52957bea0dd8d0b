"""Search uses the database's own full-text engine; counting views does not
write to the database on every request."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from reviews.models import ReviewPage
from reviews.popularity import FLUSH_EVERY
from tests.factories import make_review, paragraph

# The database backend (bookclub.search_backend wraps it) picks the
# implementation for the database in use (Wagtail 8 delegates to modelsearch).
EXPECTED_BACKEND = {
    "postgresql": "PostgresSearchBackend",
    "sqlite": "SQLiteSearchBackend",
}


@pytest.mark.django_db
def test_the_database_backend_uses_the_databases_full_text_search(book):
    backend = get_search_backend()
    implementations = [cls.__name__ for cls in type(backend).__mro__]
    assert EXPECTED_BACKEND[connection.vendor] in implementations

    make_review(book=book, summary="A city starving under siege.")
    make_review(body=[paragraph("A cheerful comedy about gardening.")])
    call_command("update_index", stdout=open("/dev/null", "w"))
    found = list(backend.search("starving", ReviewPage.objects.live()))
    assert [page.book_id for page in found] == [book.pk]


@pytest.mark.django_db
def test_review_views_are_written_in_batches_not_per_request(client, book):
    url = make_review(book=book).url
    views = FLUSH_EVERY * 3
    with CaptureQueriesContext(connection) as queries:
        for _ in range(views):
            assert client.get(url).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # One batch per FLUSH_EVERY views (a batch may be an UPDATE then an INSERT).
    assert len(writes) <= 2 * (views // FLUSH_EVERY)
    assert len(writes) < views / 4


@pytest.mark.django_db
def test_the_postgresql_search_index_has_no_pending_list():
    """On PostgreSQL the title || body index merges each entry at once
    (home/migrations/0004): searches never read a pending list. Other
    databases have no such index."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            tables = connection.introspection.table_names(cursor)
            assert "wagtailsearch_indexentry" in tables
            return
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s",
            ["bookclub_search_title_body_gin"],
        )
        (options,) = cursor.fetchone()
    assert "fastupdate=off" in options
