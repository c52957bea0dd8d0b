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
from django.db import connection, connections
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
