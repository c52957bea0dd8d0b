"""Indexing one page costs what that page costs, not a pass over the index.

The database backends weigh a title match by ``lavg / ld``: the average title
length over the index over this title's (``title_norm``). modelsearch works
the average out over the whole index table and rewrites every entry still at
the default weight after each page saved: two full passes over the index, and
a publish saves the page twice. The club's backend (bookclub/search_backend.py)
gives the entries just written their weight from an average kept for a few
minutes, which is what modelsearch's own weights already are for every entry
it does not rewrite: worked out at the time they were written.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from bookclub import search_backend
from tests.factories import BookFactory, make_review

pytestmark = pytest.mark.django_db


def _norm(page) -> float:
    return IndexEntry.objects.get(object_id=str(page.pk)).title_norm


def _average_title_length() -> float:
    from django.db.models import Avg
    from django.db.models.functions import Length

    return (
        IndexEntry.objects.annotate(title_length=Length("title"))
        .filter(title_length__gt=0)
        .aggregate(Avg("title_length"))["title_length__avg"]
    )


def _title_length(page) -> int:
    from django.db.models.functions import Length

    return (
        IndexEntry.objects.annotate(title_length=Length("title"))
        .values_list("title_length", flat=True)
        .get(object_id=str(page.pk))
    )


@pytest.fixture
def indexed(book):
    search_backend.forget_average_title_length()
    first = make_review(book=book, title="The siege of the harbour town")
    second = make_review(book=BookFactory(title="Inland"), title="Fields")
    yield first, second
    search_backend.forget_average_title_length()


def test_a_page_indexed_gets_the_weight_of_its_title(indexed):
    first, second = indexed
    third = make_review(book=first.book, title="A long title of seven words here")
    average = _average_title_length()
    assert _norm(third) == pytest.approx(average / _title_length(third))
    assert _norm(third) != 1.0
    # Those written before keep theirs, as modelsearch leaves them.
    assert _norm(second) != pytest.approx(average / _title_length(second))


def test_indexing_a_page_reads_and_writes_only_its_own_entry(indexed, monkeypatch):
    first, _ = indexed
    monkeypatch.setattr(search_backend, "AVERAGE_KEPT_FROM", 1)
    backend = get_search_backend()
    backend.add(first)  # the average is now kept
    with CaptureQueriesContext(connection) as queries:
        backend.add(first)
    statements = [q["sql"].upper() for q in queries.captured_queries]
    assert not [sql for sql in statements if "AVG(" in sql], statements
    updates = [sql for sql in statements if sql.startswith("UPDATE")]
    assert updates, statements
    assert all("OBJECT_ID" in sql for sql in updates), updates


def test_a_full_update_index_weighs_every_entry_afresh(indexed):
    first, second = indexed
    from django.core.management import call_command

    IndexEntry.objects.update(title_norm=1.0)
    call_command("update_index", verbosity=0)
    average = _average_title_length()
    for page in (first, second):
        assert _norm(page) == pytest.approx(average / _title_length(page))
