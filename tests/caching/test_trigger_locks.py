"""The cache-tag triggers hold up no other write (PostgreSQL).

Every retirement locks the ``all`` tag's row until its transaction ends.
Run as the rows were written, a trigger made a script's open transaction
(a restriction inserted, a page unpublished with ``update()``) hold
``all`` from its first write: every other write of the site waited for it,
and a publish holding a page row the script then touched deadlocked with
it. Deferred to the commit, the triggers take ``all`` after the script's
last write; they still retire the tags, at the commit.

On SQLite one writer at a time is the database's own rule, so there is
nothing of this to test there.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection, transaction

from reviews import cache_tags
from reviews.content_version import current_versions
from tests.factories import make_review

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


@pytest.fixture
def script() -> Iterator[psycopg.Connection]:
    """Another connection, as a script or a psql session would hold one,
    in an open transaction."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    ) as other:
        yield other


def _unpublish_within_seconds(page, seconds: int = 3) -> None:
    """An editor's unpublish, through Wagtail, failing if it has to wait
    for a lock longer than ``seconds``."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{seconds}s'")
        page.unpublish()


@pytest.mark.parametrize(
    ("write", "retires"),
    [
        (
            "INSERT INTO wagtailcore_pageviewrestriction (page_id, restriction_type,"
            " password) VALUES (%(page)s, 'login', '')",
            lambda page: cache_tags.SITE,
        ),
        (
            "UPDATE wagtailcore_page SET live = false WHERE id = %(page)s",
            cache_tags.page,
        ),
    ],
    ids=["restriction", "unpublish"],
)
def test_an_open_script_transaction_holds_up_no_publish(script, write, retires):
    written, edited = make_review(), make_review()
    tag = retires(written.pk)
    before = current_versions([tag])

    script.execute(write, {"page": written.pk})
    _unpublish_within_seconds(edited)  # took `all`, and committed
    # The script now touches the row the unpublish wrote: it had to wait for
    # it, and held nothing the unpublish wanted.
    script.execute(
        "UPDATE wagtailcore_page SET draft_title = draft_title WHERE id = %s",
        [edited.pk],
    )
    assert current_versions([tag]) == before  # not committed yet
    script.commit()

    assert current_versions([tag]) != before


def test_a_script_transaction_rolled_back_retires_nothing(script):
    review = make_review()
    before = current_versions([cache_tags.ALL, cache_tags.SITE])

    script.execute(
        "INSERT INTO wagtailcore_pageviewrestriction (page_id, restriction_type,"
        " password) VALUES (%s, 'login', '')",
        [review.pk],
    )
    script.rollback()

    assert current_versions([cache_tags.ALL, cache_tags.SITE]) == before
