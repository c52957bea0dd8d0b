"""A page's draft bookkeeping saved alone (``save_revision``: the latest
revision, the draft title) updates neither the search index nor the
reference index: both hold what the stored row says, which that save leaves
as it was (reviews.indexing.DraftSavesLeaveIndexesMixin). Publishing still
updates both. A page added and published at once is indexed once
(reviews.indexing.add_and_publish)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks.signals import task_enqueued
from modelsearch import tasks as search_tasks
from modelsearch.backends.base import BaseSearchBackend
from wagtail import tasks as wagtail_tasks
from wagtail.models import ReferenceIndex

from reviews.indexing import add_and_publish
from reviews.models import ReviewPage
from tests.api.helpers import image_block
from tests.factories import make_image, make_review, paragraph, review_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued():
    """The search and reference index tasks enqueued, by kind."""
    kinds = {
        search_tasks.insert_or_update_object_task.func: "search",
        wagtail_tasks.update_reference_index_task.func: "references",
    }
    seen: list[str] = []

    def record(sender, task_result, **kwargs):
        kind = kinds.get(task_result.task.func)
        if kind:
            seen.append(kind)

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def _found(words: str) -> list[int]:
    """The reviews the search index finds for ``words``, on either database."""
    return [page.pk for page in ReviewPage.objects.search(words)]


def test_saving_a_draft_updates_neither_index(book, enqueued):
    review = make_review(book=book, title="The harbour")
    image = make_image("Harbour map")
    review.title = "The harbour, redrafted"
    review.body = [image_block(image), paragraph("A new draft.")]
    enqueued.clear()

    review.save_revision()

    assert enqueued == []
    assert _found("harbour") == [review.pk]
    assert _found("redrafted") == []
    assert not ReferenceIndex.get_references_to(image).exists()


def test_publishing_the_draft_updates_both(book, enqueued):
    review = make_review(book=book, title="The harbour")
    image = make_image("Harbour map")
    review.title = "The harbour, redrafted"
    review.body = [image_block(image), paragraph("A new draft.")]
    revision = review.save_revision()
    enqueued.clear()

    revision.publish()

    assert "search" in enqueued and "references" in enqueued
    assert _found("redrafted") == [review.pk]
    assert ReferenceIndex.get_references_to(image).exists()


class StoringBackend(BaseSearchBackend):
    """A search backend outside modelsearch's database ones: like
    Elasticsearch, it is sent the whole object, filter fields included."""

    added: list[tuple[str, bool]] = []

    def add(self, obj) -> None:
        StoringBackend.added.append((str(obj.pk), obj.locked))

    def add_bulk(self, model, obj_list) -> None:
        for obj in obj_list:
            self.add(obj)

    def delete(self, obj) -> None:
        pass


def test_a_backend_that_stores_filter_fields_gets_the_draft_save(book, enqueued):
    """Such a save changes ``locked`` and ``latest_revision_created_at``,
    which Elasticsearch keeps to filter on: it is updated as Wagtail does."""
    review = make_review(book=book, title="The harbour")
    backends = {
        "default": {"BACKEND": "bookclub.search_backend"},
        "filters": {"BACKEND": f"{__name__}.StoringBackend"},
    }
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        StoringBackend.added = []
        enqueued.clear()
        review.locked = True
        review.save(update_fields=["locked", "locked_at", "locked_by"])

    assert "search" in enqueued
    assert (str(review.pk), True) in StoringBackend.added


def _references(page) -> list[tuple]:
    """The page's reference index rows, without its own id (nor its blocks'
    ids, which each page draws afresh)."""
    return sorted(
        ReferenceIndex.objects.filter(object_id=str(page.pk)).values_list(
            "to_content_type", "to_object_id", "model_path"
        )
    )


def _new_review(book, image, slug: str, word: str) -> ReviewPage:
    return ReviewPage(
        title=f"The lighthouse {word}",
        slug=slug,
        book=book,
        summary="A spoiler-free summary.",
        body=[image_block(image), paragraph("Keeper")],
    )


def test_adding_and_publishing_indexes_once_and_ends_as_wagtail_leaves_it(
    book, enqueued
):
    """``add_and_publish`` skips the add's index updates: the publish saves
    the same content again. Both indexes end as Wagtail's own add and
    publish leave them."""
    image = make_image("Lighthouse")
    index = review_index()
    by_wagtail = _new_review(book, image, "by-wagtail", "beacon")
    enqueued.clear()
    index.add_child(instance=by_wagtail)
    by_wagtail.save_revision().publish()
    assert sorted(enqueued) == ["references"] * 2 + ["search"] * 2

    once = _new_review(book, image, "once", "lantern")
    enqueued.clear()
    revision = add_and_publish(index, once)

    assert sorted(enqueued) == ["references", "search"]
    once.refresh_from_db()
    assert once.live and once.live_revision_id == revision.pk
    assert sorted(_found("keeper")) == sorted([by_wagtail.pk, once.pk])
    assert _found("lantern") == [once.pk]
    assert _references(once) == _references(by_wagtail)
    assert str(once.pk) in ReferenceIndex.get_references_to(image).values_list(
        "object_id", flat=True
    )
