"""A response rebuilt after a change reads the versions of its tags once,
before it renders: those of the response it replaces, which this process
saw, with its route's. A page declares its tags as it renders, so a build
that read only its route's read the rest afterwards, one query more each
time; what it shows is the same."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cache_queries import reads_tag_versions
from tests.factories import BookFactory, make_review

pytestmark = pytest.mark.django_db


def _tag_reads(client, path: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return sum(reads_tag_versions(q["sql"]) for q in queries), response.content


@pytest.mark.parametrize("path", ["/", "/reviews/", "/api/v3/books/?limit=5"])
def test_a_rebuild_after_a_publish_reads_its_tags_once(client, path):
    book = BookFactory(title="A Book")
    review = make_review(book=book, summary="Before the edit.", rating=3)
    client.get(path)

    review.summary = "After the edit."
    review.rating = 5
    review.save_revision().publish()
    reads, content = _tag_reads(client, path)

    # The look-up of the kept copy, then every tag before rendering.
    assert reads == 2
    assert b"Before the edit." not in content
    if path.startswith("/api/"):
        assert b'"average_rating": 5.0' in content or b'"average_rating":5.0' in content
    else:
        assert b"After the edit." in content
