"""``reviews.indexing.indexing_deferred`` nests: an inner block (one of
``add_and_publish``'s, say, inside a Goodreads import) neither fails on
leaving nor turns the reference index back on for the rest of the outer
job, which indexes what it saved at its end (``update_indexes``)."""

from __future__ import annotations

import pytest
from django_tasks.signals import task_enqueued
from wagtail import tasks as wagtail_tasks
from wagtail.models import ReferenceIndex

from reviews.indexing import add_and_publish, indexing_deferred, update_indexes
from reviews.models import Book, ReviewPage
from tests.factories import paragraph, review_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_updates():
    """The reference index updates enqueued (Wagtail's task)."""
    seen: list[tuple] = []

    def record(sender, task_result, **kwargs):
        if task_result.task.func is wagtail_tasks.update_reference_index_task.func:
            seen.append(tuple(task_result.args))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def _review(book: Book, slug: str) -> ReviewPage:
    return ReviewPage(
        title=f"The lighthouse {slug}",
        slug=slug,
        book=book,
        summary="A spoiler-free summary.",
        body=[paragraph("Keeper")],
    )


def test_a_nested_block_leaves_the_reference_index_off_until_the_outer_end(
    book, reference_updates
):
    index = review_index()
    reference_updates.clear()
    with indexing_deferred([Book, ReviewPage]):
        with indexing_deferred([Book]):
            pass
        index.add_child(instance=_review(book, "later"))
        assert reference_updates == [], "a save inside the outer job was indexed"
    index.add_child(instance=_review(book, "after"))
    assert len(reference_updates) == 1


def test_add_and_publish_inside_a_job_leaves_the_indexing_to_the_job(book):
    """Like every save inside the job, the page is indexed when the job
    hands it to ``update_indexes``, not before."""
    with indexing_deferred([Book, ReviewPage]):
        page = _review(book, "nested")
        add_and_publish(review_index(), page)
        assert not ReviewPage.objects.search("keeper").count()
        assert not ReferenceIndex.objects.filter(object_id=str(page.pk)).exists()
        update_indexes({ReviewPage: [page.pk]}, {ReviewPage: [page.pk]})

    assert [found.pk for found in ReviewPage.objects.search("keeper")] == [page.pk]
    assert ReferenceIndex.objects.filter(object_id=str(page.pk)).exists()
