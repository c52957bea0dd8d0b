"""Two writers changing one review at once, each with its own connection.

A publish decides from the review's stored row whether which reviews are
public changed (reviews.cache_tags.PUBLIC_REVIEWS): a live review given a
new revision about the same book changes nothing there. Here another
process unpublishes the review, or publishes it about another book, after
the publish has read that row and before it writes it, and a reader
rebuilds the listings in between. Once both have committed, the totals and
the review index's book choices say what the rows say: the publish either
waited for the other change and saw it, or went first and the other
change retired what it kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection
from django.test import Client

from reviews.models import Book, ReviewPage
from tests.caching.test_public_reviews import _state
from tests.factories import BookFactory, make_review

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]

#: How long the publish gives the other writer to commit before it goes on.
WAIT = 2


def _truth() -> dict[str, object]:
    """What the listings must say: from the rows themselves (no view
    restriction, one Site, one index here)."""
    live = ReviewPage.objects.live()
    titles = Book.objects.filter(pk__in=live.values("book_id")).values_list(
        "title", flat=True
    )
    total = live.count()
    return {"v3": total, "v2": total, "index": total, "books": sorted(titles)}


def _unpublish(review: ReviewPage) -> None:
    review.unpublish()


def _publish_about_another_book(review: ReviewPage) -> None:
    review.book = Book.objects.get(title="Alpha")
    review.save_revision().publish()


class ChangeAfterStoredRowRead:
    """Once this connection has read the review's stored row for the save
    (reviews.models.books.remember_stored_book), ``change`` the review on
    another thread, with its own connection, and read every listing there;
    go on when that has committed, or after :data:`WAIT` seconds if it
    waits for this transaction."""

    def __init__(
        self, review: ReviewPage, change: Callable[[ReviewPage], None]
    ) -> None:
        self.review = review
        self.change = change
        self.fired = False
        self.thread: threading.Thread | None = None
        self.errors: list[BaseException] = []
        #: Set once the publish has returned.
        self.publish_returned = threading.Event()

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.fired and self._reads_stored_row(sql, params):
            self.fired = True
            self.thread = threading.Thread(target=self._elsewhere)
            self.thread.start()
            self.thread.join(timeout=WAIT)
        return result

    def _reads_stored_row(self, sql: str, params) -> bool:
        return (
            sql.startswith("SELECT")
            and '"reviews_reviewpage"."book_id" AS "book_id"' in sql
            and '"wagtailcore_page"."live" AS "live"' in sql
            and self.review.pk in (params or ())
        )

    def _elsewhere(self) -> None:
        try:
            try:
                self.change(ReviewPage.objects.get(pk=self.review.pk))
            except OperationalError:
                # SQLite: one writer at a time, and the publish is writing.
                # (PostgreSQL locks rows: a writer waits for the lock.)
                self.publish_returned.wait(timeout=60)
                self.change(ReviewPage.objects.get(pk=self.review.pk))
            _state(Client())
        except BaseException as error:
            self.errors.append(error)
        finally:
            connection.close()


@pytest.mark.parametrize("change", [_unpublish, _publish_about_another_book])
def test_a_change_made_while_a_revision_is_published_shows_in_the_totals(
    client, change
):
    make_review(book=BookFactory(title="Alpha"), title="Kept")
    moving = make_review(book=BookFactory(title="Beta"), title="Moving")
    assert (
        _state(client)
        == _truth()
        == {
            "v3": 2,
            "v2": 2,
            "index": 2,
            "books": ["Alpha", "Beta"],
        }
    )
    page = ReviewPage.objects.get(pk=moving.pk)
    page.summary = "Said better."
    revision = page.save_revision()
    other = ChangeAfterStoredRowRead(page, change)

    try:
        with connection.execute_wrapper(other):
            revision.publish()
    finally:
        other.publish_returned.set()

    assert other.fired, "the publish read the stored row"
    assert other.thread is not None
    other.thread.join(timeout=60)
    assert not other.errors, other.errors
    assert _state(client) == _truth()
