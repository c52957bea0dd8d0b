"""A publish or an unpublish retires the listings in one commit, not two.

Wagtail saves the page in a transaction of its own (``Page.save`` is
atomic): the database's triggers and ``post_save``'s receiver
(reviews.invalidation.page_saved) retire its tags in that commit. It then
sends ``page_published`` / ``page_unpublished`` after the commit, and that
receiver retired the same tags again, in a commit of its own. A reader in
between rebuilt every listing showing the page, and rebuilt it again after
the second commit (docs/performance.md, "Where the workers' time goes under
the writes"). Running the whole action in one transaction deadlocked
(tests/caching/test_publish_transactions.py); now the signal's receiver
leaves alone the tags the page's own save has retired already.

The rebuild after the first commit is right: a change's retirement only
marks what a reader must build again, and everything the publish wrote
that a reader is shown committed with the page's row. What it writes after
(the media the page uses) retires its own tags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from benchmarks.traffic import publish_form
from reviews import cache_tags
from reviews.models import ReviewPage
from tests.factories import BookFactory, make_review

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]


def _version(name: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, strict_version FROM reviews_cachetag WHERE name = %s",
            [name],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


@contextmanager
def commits_retiring(name: str = cache_tags.REVIEWS) -> Iterator[list[tuple[int, int]]]:
    """The tag's version after each commit that changed it (read after the
    commit: PostgreSQL's triggers are deferred to it)."""
    seen: list[tuple[int, int]] = []
    last = [_version(name)]
    commit = connection.commit

    def counted() -> None:
        commit()
        version = _version(name)
        if connection.vendor == "postgresql":
            # The read began a transaction of its own on PostgreSQL, where
            # the commit leaves autocommit off until the block has ended.
            connection.connection.commit()
        if version != last[0]:
            seen.append(version)
            last[0] = version

    connection.commit = counted  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del connection.commit


def _publish_new_revision(review: ReviewPage) -> None:
    review.summary = "An edited summary"
    review.save_revision().publish()


def _unpublish(review: ReviewPage) -> None:
    review.unpublish()


def _republish(review: ReviewPage) -> None:
    review.unpublish()
    review.save_revision().publish()


@pytest.mark.parametrize(
    ("change", "commits"),
    [(_publish_new_revision, 1), (_unpublish, 1), (_republish, 2)],
)
def test_a_publish_or_unpublish_retires_the_listings_once(
    change: Callable[[ReviewPage], None], commits: int
):
    review = make_review()
    with commits_retiring() as seen:
        change(ReviewPage.objects.get(pk=review.pk))
    assert len(seen) == commits, seen


def test_the_admins_publish_retires_the_listings_once():
    """What an editor's "Publish" in the edit view does (and the
    benchmark's writer): the draft is saved first, which retires nothing a
    reader sees, then the revision is published."""
    review = make_review()
    editor = get_user_model().objects.create_superuser("editor", "e@example.org", "x")
    client = Client()
    client.force_login(editor)
    form = publish_form(
        {
            "title": review.title,
            "slug": review.slug,
            "book": review.book_id,
            "reviewer": review.reviewer_id or "",
        },
        "Published from the admin",
    )
    with commits_retiring() as seen:
        response = client.post(f"/admin/pages/{review.pk}/edit/", form)
    assert response.status_code == 302, response.content[:2000]
    assert ReviewPage.objects.get(pk=review.pk).summary == "Published from the admin"
    assert len(seen) == 1, seen


def test_a_first_publish_retires_the_listings_once():
    review = make_review(live=False)
    with commits_retiring() as seen:
        ReviewPage.objects.get(pk=review.pk).save_revision().publish()
    assert ReviewPage.objects.get(pk=review.pk).live
    assert len(seen) == 1, seen


# What still retires: every signal that follows no save of the same page.


@pytest.mark.parametrize("signal", [page_published, page_unpublished])
def test_a_signal_without_a_save_still_retires(signal):
    """Code that sends the signal itself (or Wagtail for a page it deletes,
    which it unpublishes without saving) still retires the page's tags."""
    review = make_review()
    page = ReviewPage.objects.get(pk=review.pk)
    with commits_retiring(cache_tags.page(review.pk)) as seen:
        signal.send(sender=ReviewPage, instance=page)
    assert len(seen) == 1, seen


def test_a_second_signal_after_one_save_retires_again():
    """The save stands in for the first signal only: a second one for the
    same page object is a change of its own."""
    review = make_review()
    page = ReviewPage.objects.get(pk=review.pk)
    page.save_revision().publish()
    with commits_retiring(cache_tags.page(review.pk)) as seen:
        page_published.send(sender=ReviewPage, instance=page)
    assert len(seen) == 1, seen


def test_the_signal_for_another_copy_of_the_page_retires():
    """The signal names a page object other than the one saved (Wagtail's
    unpublish of a page not loaded as its specific type sends a fresh one):
    nothing tells it what the save retired, so it retires."""
    review = make_review()
    generic = Page.objects.get(pk=review.pk)
    with commits_retiring() as seen:
        generic.unpublish()
    assert not ReviewPage.objects.get(pk=review.pk).live
    assert len(seen) == 2, seen


def test_a_publish_to_another_book_retires_both_books():
    """What the signal would retire beyond the save's (here, nothing more:
    both compute the book it left) is never left out."""
    review = make_review()
    first_book = review.book_id
    other = BookFactory()
    page = ReviewPage.objects.get(pk=review.pk)
    page.book = other
    before = (
        _version(cache_tags.book(first_book)),
        _version(cache_tags.book(other.pk)),
    )
    page.save_revision().publish()
    after = (_version(cache_tags.book(first_book)), _version(cache_tags.book(other.pk)))
    assert before[0] != after[0] and before[1] != after[1]


def test_a_deletion_after_a_save_retires():
    review = make_review()
    page = ReviewPage.objects.get(pk=review.pk)
    page.save_revision().publish()
    with commits_retiring(cache_tags.page(review.pk)) as seen:
        page.delete()
    assert len(seen) >= 1, seen
