"""Publishing and unpublishing next to other writers: the order locks are
taken in, and a failed lookup inside a publish's transaction.

A publish or unpublish commits the page's row (the database's triggers
retire its tags with it) and then its signal's receivers retire them again
in a commit of their own. Running each action in one transaction would
rebuild the listings once instead of twice, but Wagtail's publish and
unpublish take the page's and its revisions' rows in opposite orders, and
an unpublish takes its aliases' rows after the tags: in one transaction
each, they deadlock with one another (docs/performance.md, "Where the
workers' time goes under the writes"). These tests hold the orders that do
not.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import override_settings
from wagtail.actions.unpublish_page import UnpublishPageAction

from reviews import cache_tags
from reviews.frontend_cache import purges
from reviews.invalidation import retire
from reviews.models import ReviewIndexPage, ReviewPage
from tests.caching.clients import another_transaction
from tests.caching.edges import URL_EDGE
from tests.factories import make_review

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]


@pytest.mark.postgresql
def test_a_subtree_unpublish_and_a_publish_below_it_do_not_deadlock():
    """Another writer holds a review's row (its publish has saved it) and
    then retires its tags, which takes the ``all`` row last; meanwhile the
    review index is unpublished with its descendants, a page per
    transaction. Were the subtree one transaction, it would hold ``all``
    from the index's unpublish while it waited for the review's row: each
    waiting for the other (this failed so)."""
    review = make_review()
    index = ReviewIndexPage.objects.get(pk=review.get_parent().pk)
    admin = get_user_model().objects.create_superuser("admin", "a@example.org", "x")
    with another_transaction(
        hold=lambda: ReviewPage.objects.select_for_update().filter(pk=review.pk).get(),
        then=lambda: retire({cache_tags.page(review.pk)}),
    ) as errors:
        UnpublishPageAction(index, include_descendants=True, user=admin).execute()
    assert errors == []
    assert not ReviewPage.objects.get(pk=review.pk).live


@pytest.mark.postgresql
def test_a_database_error_the_edge_lookup_catches_leaves_the_publish_whole(
    monkeypatch,
):
    """Looking up the addresses to purge may fail and the publish still
    goes on (it says so). Inside a transaction around the publish (the
    Goodreads import publishes inside its own, reviews/goodreads/importer.py;
    Wagtail moves a page inside one), a database error there would abort
    it: the lookup runs in a savepoint."""

    def failing_lookup(page, chapters=()):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # any database error

    monkeypatch.setattr(purges, "urls_for_page", failing_lookup)
    review = make_review(summary="Before")
    with override_settings(**URL_EDGE), transaction.atomic():
        page = ReviewPage.objects.get(pk=review.pk)
        page.summary = "After"
        page.save_revision().publish()
    assert ReviewPage.objects.get(pk=review.pk).summary == "After"
