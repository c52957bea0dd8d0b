"""On PostgreSQL the read every cached answer makes, its tags' versions, and
the query of a cold review detail are prepared statements: the server parses
and plans each once per connection, not once per request. A site behind a
pooler that cannot keep prepared statements turns that off
(``prepare_threshold``), and the read is as before."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from reviews import cache_tags
from reviews.content_version import VERSIONS_VIEW, current_versions, retire_in_database
from tests.factories import make_review

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

TAGS = [cache_tags.ALL, cache_tags.PUBLIC_REVIEWS]


def prepared_statements() -> list[str]:
    """The statements this connection has prepared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def prepared_version_reads() -> list[str]:
    return [
        statement for statement in prepared_statements() if VERSIONS_VIEW in statement
    ]


@contextmanager
def threshold(value: int | None) -> Iterator[None]:
    """A new connection with ``prepare_threshold`` set to ``value``."""
    options = connection.settings_dict["OPTIONS"]
    before = options.get("prepare_threshold", "unset")
    connection.close()
    options["prepare_threshold"] = value
    try:
        yield
    finally:
        connection.close()
        if before == "unset":
            del options["prepare_threshold"]
        else:
            options["prepare_threshold"] = before


def test_the_settings_let_postgresql_prepare():
    assert settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] == 5


def test_the_version_read_is_prepared_and_still_one_query():
    current_versions(TAGS)
    assert prepared_version_reads() == []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            versions = current_versions(TAGS)
    # Still Django's cursor: logged, counted, its errors Django's.
    assert len(queries) == 5
    assert all(VERSIONS_VIEW in query["sql"] for query in queries)
    assert len(prepared_version_reads()) == 1
    assert set(versions) == set(TAGS)


@pytest.mark.django_db(transaction=True)
def test_a_prepared_read_sees_a_change_another_connection_commits():
    make_review()
    for _ in range(6):
        before = current_versions(TAGS)
    assert prepared_version_reads()

    def retire_elsewhere() -> None:
        try:
            retire_in_database([cache_tags.PUBLIC_REVIEWS])
        finally:
            connections.close_all()

    other = threading.Thread(target=retire_elsewhere)
    other.start()
    other.join(10)
    after = current_versions(TAGS)
    assert after[cache_tags.PUBLIC_REVIEWS] != before[cache_tags.PUBLIC_REVIEWS]
    assert after[cache_tags.ALL] == before[cache_tags.ALL]


@pytest.mark.django_db(transaction=True)
def test_behind_a_pooler_nothing_is_prepared():
    with threshold(None):
        for _ in range(10):
            current_versions(TAGS)
        assert prepared_version_reads() == []


def test_a_cold_review_detail_is_read_by_a_prepared_statement(client):
    reviews = [make_review(title=f"Review {number}") for number in range(8)]
    for review in reviews:
        response = client.get(f"/api/v3/reviews/{review.pk}/")
        assert response.status_code == 200
        assert response.json()["title"] == review.title
    details = [
        statement
        for statement in prepared_statements()
        if "reviews_reviewpage" in statement and "JOIN" in statement
    ]
    assert len(details) == 1


@contextmanager
def column_widened(table: str, column: str) -> Iterator[None]:
    """``table.column`` one character wider, as a migration's ``AlterField``
    would make it while the app runs, committed by another connection; a
    view over the column is dropped and made again around it. Undone after.
    """
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT character_maximum_length FROM information_schema.columns"
                " WHERE table_name = %s AND column_name = %s",
                [table, column],
            )
            (length,) = cursor.fetchone()
            cursor.execute("SELECT pg_get_viewdef(%s)", [VERSIONS_VIEW])
            (view,) = cursor.fetchone()

            def alter(to: int) -> None:
                with other.cursor() as cursor, transaction.atomic(using=other.alias):
                    cursor.execute(f"DROP VIEW {VERSIONS_VIEW}")
                    cursor.execute(
                        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({to})"
                    )
                    cursor.execute(f"CREATE VIEW {VERSIONS_VIEW} AS {view}")

        alter(length + 1)
        try:
            yield
        finally:
            alter(length)
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("table", "column"), [("reviews_cachetag", "name"), ("reviews_book", "author")]
)
def test_a_column_changed_while_prepared_does_not_fail_the_site(client, table, column):
    """PostgreSQL refuses a prepared statement whose result columns changed
    ("cached plan must not change result type"), and psycopg would send it
    again on every request of the connection: the read runs once more
    unprepared, and the connection is replaced after the request."""
    reviews = [make_review() for _ in range(8)]
    for review in reviews[:7]:
        assert client.get(f"/api/v3/reviews/{review.pk}/").status_code == 200
        assert client.get("/api/v3/reviews/").status_code == 200
    assert prepared_version_reads()
    assert len(prepared_statements()) == 2
    with column_widened(table, column):
        answer = client.get(f"/api/v3/reviews/{reviews[7].pk}/")
        assert answer.status_code == 200
        assert answer.json()["title"] == reviews[7].title
        assert client.get("/api/v3/reviews/").status_code == 200
        # What ends every request outside the test client, which keeps the
        # test's connection: this one is replaced, with nothing prepared.
        connection.close_if_unusable_or_obsolete()
        assert prepared_statements() == []
        assert client.get("/api/v3/reviews/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reset", ["DEALLOCATE ALL", "DISCARD ALL"])
def test_statements_deallocated_behind_psycopg_are_prepared_again(reset):
    """psycopg notices a reset only the first time it sees its text: a
    second one leaves it sending statements the server no longer has."""
    with connection.cursor() as cursor:
        cursor.execute(reset)  # psycopg now knows the text
    for _ in range(7):
        current_versions(TAGS)
    assert prepared_version_reads()
    with connection.cursor() as cursor:
        cursor.execute(reset)
    assert set(current_versions(TAGS)) == set(TAGS)
    assert set(current_versions(TAGS)) == set(TAGS)
