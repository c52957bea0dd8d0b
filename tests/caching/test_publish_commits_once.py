"""A publish or an unpublish commits once: the page's row, what the signal
handlers write about it, and the tags it retires together.

Wagtail saves the page in a transaction of its own and sends
``page_published`` / ``page_unpublished`` after that has committed, so the
tags were retired twice, in two commits: by the database's triggers with the
page's row, then by the signal's receiver (reviews.invalidation). A reader in
between rebuilt every listing showing the page, and rebuilt it again after
the second commit. Under the benchmark's writes that was half the rebuilds a
publish caused (docs/performance.md, "Where the workers' time goes under
the writes"). Now each commit that retires the listing's tags is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from reviews import cache_tags
from reviews.models import ReviewPage
from tests.factories import make_review

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]


def _listing_version() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, strict_version FROM reviews_cachetag WHERE name = %s",
            [cache_tags.REVIEWS],
        )
        row = cursor.fetchone()
    return tuple(row) if row else (0, 0)


@contextmanager
def commits_retiring_the_listings() -> Iterator[list[tuple[int, int]]]:
    """The listing tag's version in each commit that changed it."""
    seen: list[tuple[int, int]] = []
    last = [_listing_version()]
    commit = connection.commit

    def counted() -> None:
        version = _listing_version()  # inside the transaction, before it ends
        commit()
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


@pytest.mark.parametrize("change", [_publish_new_revision, _unpublish])
def test_a_publish_retires_the_listings_in_one_commit(
    change: Callable[[ReviewPage], None],
):
    review = make_review()
    with commits_retiring_the_listings() as commits:
        change(ReviewPage.objects.get(pk=review.pk))
    assert len(commits) == 1, commits


def test_what_the_publish_wrote_commits_with_it():
    """A failure in a receiver of ``page_published`` leaves the page as it
    was: nothing half-published for the readers to see."""
    from wagtail.signals import page_published

    review = make_review(summary="Before")

    def fail(**kwargs) -> None:
        raise RuntimeError("a receiver failed")

    page_published.connect(fail, dispatch_uid="test-fail")
    try:
        page = ReviewPage.objects.get(pk=review.pk)
        page.summary = "After"
        with pytest.raises(RuntimeError):
            page.save_revision().publish()
    finally:
        page_published.disconnect(dispatch_uid="test-fail")
    assert ReviewPage.objects.get(pk=review.pk).summary == "Before"


def test_the_admins_publish_retires_the_listings_in_one_commit():
    """What an editor's "Publish" in the edit view does (and the
    benchmark's writer): the draft is saved first, which retires nothing a
    reader sees, then published in one commit."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from benchmarks.traffic import publish_form

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
    with commits_retiring_the_listings() as commits:
        response = client.post(f"/admin/pages/{review.pk}/edit/", form)
    assert response.status_code == 302, response.content[:2000]
    assert ReviewPage.objects.get(pk=review.pk).summary == "Published from the admin"
    assert len(commits) == 1, commits


@pytest.mark.postgresql
def test_a_subtree_unpublish_and_a_publish_below_it_do_not_deadlock():
    """Another writer holds a review's row (its publish has saved it) and
    then retires its tags, which takes the ``all`` row last; meanwhile the
    review index is unpublished with its descendants. Were the subtree one
    transaction, it would hold ``all`` from the index's unpublish while it
    waited for the review's row: each waiting for the other."""
    import threading

    from django.db import connections, transaction
    from wagtail.actions.unpublish_page import UnpublishPageAction

    from reviews.invalidation import retire
    from reviews.models import ReviewIndexPage

    review = make_review()
    index = ReviewIndexPage.objects.get(pk=review.get_parent().pk)
    locked, errors = threading.Event(), []

    def publish_below() -> None:
        try:
            with transaction.atomic():
                ReviewPage.objects.select_for_update().filter(pk=review.pk).get()
                locked.set()
                # Long enough for the unpublish to reach the review's row.
                threading.Event().wait(1.5)
                retire({cache_tags.page(review.pk)})
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            locked.set()
            connections.close_all()

    other = threading.Thread(target=publish_below)
    other.start()
    assert locked.wait(10)
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("admin", "a@example.org", "x")
    try:
        UnpublishPageAction(index, include_descendants=True, user=admin).execute()
    finally:
        other.join(30)
    assert errors == []
    assert not ReviewPage.objects.get(pk=review.pk).live


@pytest.mark.postgresql
def test_a_database_error_the_edge_lookup_catches_leaves_the_publish_whole(
    monkeypatch,
):
    """Looking up the addresses to purge may fail and the publish still
    goes on (it says so). Inside the publish's one transaction, a database
    error there would abort it: the lookup runs in a savepoint."""
    from django.test import override_settings

    from reviews.frontend_cache import purges
    from tests.caching.edges import URL_EDGE

    def failing_lookup(page, chapters=()):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # any database error

    monkeypatch.setattr(purges, "urls_for_page", failing_lookup)
    review = make_review(summary="Before")
    with override_settings(**URL_EDGE):
        page = ReviewPage.objects.get(pk=review.pk)
        page.summary = "After"
        page.save_revision().publish()
    assert ReviewPage.objects.get(pk=review.pk).summary == "After"
