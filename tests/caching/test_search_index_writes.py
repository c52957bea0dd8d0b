"""A search answered before the search index learns of a change is retired
when the index's write commits, whoever writes it.

With the production task backend (docs/deploy.md, Background tasks) a
page's save only queues its search index update: ``manage.py db_worker``,
another process, writes the index after the page's commit. A search
answered in between was kept under the versions of that commit (the page's
own change retires its tags then), so the worker's write changed what the
search finds and retired nothing: the cached answer kept the old set of
matches until some other change. So do ``manage.py update_index`` and a
script writing the index. The database's triggers (migration 0021) now
retire :data:`reviews.cache_tags.SEARCH`, which every search depends on,
with any write to the index table.
"""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import Client, override_settings
from modelsearch.tasks import insert_or_update_object_task
from wagtail.search.models import IndexEntry

from reviews import cache_tags
from reviews.content_version import current_versions
from reviews.models import ReviewPage
from tests.caching.clients import another_transaction
from tests.factories import make_review

# Committed: on PostgreSQL the triggers run at the commit.
pytestmark = pytest.mark.django_db(transaction=True)

QUEUED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

SEARCHES = [
    "/search/?q=Zanzibar",
    "/api/v2/pages/?type=reviews.ReviewPage&fields=title&search=Zanzibar",
    "/api/v3/reviews/?search=Zanzibar",
]


def _index_as_the_worker_does(review: ReviewPage) -> None:
    """What ``db_worker`` runs for the task the page's save queued."""
    insert_or_update_object_task.call("reviews", "reviewpage", str(review.pk))


@pytest.mark.parametrize("url", SEARCHES)
def test_a_search_kept_before_the_worker_indexes_a_page_is_retired(client, url):
    with override_settings(TASKS=QUEUED):
        review = make_review(title="A quiet review")
        page = ReviewPage.objects.get(pk=review.pk)
        page.title = "The Zanzibar review"
        page.save_revision().publish()
        # Built and kept while the index still holds the old title.
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert b"Zanzibar review" not in response.content
    _index_as_the_worker_does(review)
    assert b"Zanzibar review" in client.get(url).content


def test_a_page_whose_index_entry_is_deleted_leaves_the_search():
    """A script (or ``update_index``'s clean-up) that deletes entries."""
    review = make_review(title="The Zanzibar review")
    client = Client()
    url = SEARCHES[0]
    assert b"Zanzibar review" in client.get(url).content
    before = current_versions([cache_tags.SEARCH])
    IndexEntry.objects.filter(object_id=str(review.pk)).delete()
    assert current_versions([cache_tags.SEARCH]) != before
    assert b"Zanzibar review" not in client.get(url).content


def test_every_search_depends_on_the_search_tag():
    assert cache_tags.SEARCH in cache_tags.for_route(
        "reviews:search", {}, QueryDict("q=x")
    )
    for view in ("wagtailapi:pages:listing", "wagtailapi_v3:club_reviews_list"):
        assert cache_tags.SEARCH in cache_tags.for_route(
            view, {}, QueryDict("search=x")
        )
        # Without a search, an index write leaves the listing alone.
        assert cache_tags.SEARCH not in cache_tags.for_route(view, {}, QueryDict(""))


@pytest.mark.postgresql
def test_a_long_index_write_and_a_page_deletion_do_not_deadlock():
    """``update_index`` holds the index's rows until its one commit, where
    its trigger retires ``search``; a page's deletion takes ``all`` first,
    then deletes the page's index rows. Had the trigger retired ``all``
    too, each would wait for the other (this failed so): the deletion now
    waits for the rebuild's commit and goes on."""
    review = make_review(title="The Zanzibar review")
    gone = make_review(title="A review deleted meanwhile")

    def rebuild() -> None:
        # What update_index's rebuild does to every entry, here two.
        for page in (review, gone):
            IndexEntry.objects.filter(object_id=str(page.pk)).update(title=page.title)

    with another_transaction(hold=rebuild) as errors:
        ReviewPage.objects.get(pk=gone.pk).delete()
    assert errors == []
    assert not ReviewPage.objects.filter(pk=gone.pk).exists()
