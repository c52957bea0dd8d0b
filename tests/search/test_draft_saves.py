"""A page's draft bookkeeping saved alone (``save_revision``: the latest
revision, the draft title) updates neither the search index nor the
reference index: both hold what the stored row says, which that save leaves
as it was (reviews.indexing.DraftSavesLeaveIndexesMixin). Publishing still
updates both."""

from __future__ import annotations

import pytest
from django_tasks.signals import task_enqueued
from modelsearch import tasks as search_tasks
from wagtail import tasks as wagtail_tasks
from wagtail.models import ReferenceIndex
from wagtail.search.models import IndexEntry

from tests.factories import make_image, make_review, paragraph

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


def _image_block(image_id: int) -> dict:
    return {
        "type": "image",
        "value": {
            "image": {"image": image_id, "decorative": False, "alt_text": "A map"},
            "caption": "",
        },
    }


def test_saving_a_draft_updates_neither_index(book, enqueued):
    review = make_review(book=book, title="The harbour")
    image = make_image("Harbour map")
    review.title = "The harbour, redrafted"
    review.body = [_image_block(image.pk), paragraph("A new draft.")]
    enqueued.clear()

    review.save_revision()

    assert enqueued == []
    assert IndexEntry.objects.get(object_id=str(review.pk)).title.startswith(
        "The harbour The Siege"
    )
    assert not ReferenceIndex.get_references_to(image).exists()


def test_publishing_the_draft_updates_both(book, enqueued):
    review = make_review(book=book, title="The harbour")
    image = make_image("Harbour map")
    review.title = "The harbour, redrafted"
    review.body = [_image_block(image.pk), paragraph("A new draft.")]
    revision = review.save_revision()
    enqueued.clear()

    revision.publish()

    assert "search" in enqueued and "references" in enqueued
    entry = IndexEntry.objects.get(object_id=str(review.pk))
    assert entry.title.startswith("The harbour, redrafted")
    assert ReferenceIndex.get_references_to(image).exists()
