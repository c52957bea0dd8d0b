"""Batch the search and reference index updates of a bulk job.

Every save of an indexed model updates the search index, and every save of a
page or snippet the reference index: a few queries each, which dominate a job
that creates thousands of objects (a Goodreads import). Inside
:func:`indexing_deferred`, saves made *by the current thread* skip both, and the
job hands the objects it saved to :func:`update_indexes` at the end.
:func:`add_and_publish` indexes a page created and published at once a
single time, not once per save.

Other threads (other requests in the same process) are not affected: the
search signal handlers are wrapped once, and the wrapper only skips the update
while the current thread has asked for it. The reference index has its own
context-local switch in Wagtail.

A page saved with only its draft bookkeeping (:data:`DRAFT_FIELDS`, what
``save_revision`` writes: the latest revision, the draft title) updates
neither index (:class:`DraftSavesLeaveIndexesMixin`): both are built from
the page's stored row, whose indexed content that save leaves as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from django.db import models, transaction
from django.db.models.signals import post_save
from modelsearch import index as search_index
from modelsearch import signal_handlers as search_signals
from modelsearch.backends import get_search_backends
from wagtail.models import Page, ReferenceIndex, Revision
from wagtail.models.pages import COMMENTS_RELATION_NAME

from .conf import from_settings

__all__ = [
    "DRAFT_FIELDS",
    "DraftSavesLeaveIndexesMixin",
    "add_and_publish",
    "indexing_deferred",
    "update_indexes",
]

#: Fields Wagtail saves on a page when a draft is saved or scheduled
#: (``save_revision``, locking): what readers see does not change, and
#: neither does what the search and reference indexes hold about the page.
DRAFT_FIELDS = frozenset(
    {
        COMMENTS_RELATION_NAME,
        "latest_revision",
        "latest_revision_created_at",
        "has_unpublished_changes",
        "draft_title",
        "locked",
        "locked_at",
        "locked_by",
    }
)

#: The package of modelsearch's database backends (PostgreSQL, SQLite, MySQL
#: and the fallback), whose index holds a model's searchable text alone.
DATABASE_BACKENDS = "modelsearch.backends.database"

_state = threading.local()
_install_lock = threading.Lock()
_wrapped: set[type[models.Model]] = set()
CHUNK_SIZE = 500


def _deferring() -> bool:
    return getattr(_state, "depth", 0) > 0


def _search_on_save(sender, instance, **kwargs) -> None:
    if _deferring() or any(
        instance is page for page in getattr(_state, "draft_saves", ())
    ):
        return
    search_signals.post_save_signal_handler(instance, **kwargs)


def _wrap_search_handlers(model_classes: Iterable[type[models.Model]]) -> None:
    with _install_lock:
        for model in model_classes:
            if model in _wrapped:
                continue
            if post_save.disconnect(
                search_signals.post_save_signal_handler, sender=model
            ):
                post_save.connect(
                    _search_on_save,
                    sender=model,
                    dispatch_uid=f"reviews-deferrable-search-{model._meta.label}",
                )
            _wrapped.add(model)


@contextmanager
def indexing_deferred(
    model_classes: Iterable[type[models.Model]],
) -> Iterator[None]:
    """Skip search index updates for ``model_classes`` and all reference index
    updates for saves made by this thread inside the block.

    Blocks nest (:func:`add_and_publish` inside an import): the outermost
    turns the reference index back on when it ends. Wagtail's own switch
    does not nest; leaving it deletes its flag, so an inner block that
    entered it would turn the index back on for the rest of the outer
    job, and the outer block's exit would fail."""
    from wagtail.signal_handlers import (
        disable_reference_index_auto_update,
        reference_index_auto_update_disabled,
    )

    _wrap_search_handlers(model_classes)
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        if getattr(reference_index_auto_update_disabled, "value", False):
            yield
        else:
            with disable_reference_index_auto_update():
                yield
    finally:
        _state.depth -= 1


def add_and_publish(parent: Page, page: Page, *, user: Any = None) -> Revision:
    """Add ``page`` under ``parent``, save its first revision (by ``user``)
    and publish it, indexing the page once.

    Wagtail updates the search and reference indexes after every save of a
    page, and adding a page then publishing it saves it twice with the same
    content: the add's updates are skipped here, and the publish's save
    (a whole save, never ``update_fields``) makes both, so the indexes end
    as Wagtail would leave them. For code that creates published pages one
    at a time (the demo club, the tests' content); a job of thousands defers
    to its end with :func:`indexing_deferred` instead. Inside such a job it
    indexes nothing, like every save there: the job's
    :func:`update_indexes` does.

    The add's save validates the page (``full_clean``); the revision holds
    the same content, so it is not validated a second time.
    """
    with indexing_deferred([type(page)]):
        parent.add_child(instance=page)
    revision = page.save_revision(user=user, clean=False)
    revision.publish()
    return revision


class DraftSavesLeaveIndexesMixin:
    """Page mixin: a save of the page's draft bookkeeping alone
    (``update_fields`` within :data:`DRAFT_FIELDS`) updates neither the
    search index nor the reference index.

    Both indexes are built from the page's row as stored, and such a save
    changes no field either reads (the search index holds the live title
    and content; the reference index skips revisions and comments). Wagtail
    updates both after every save: creating and publishing a page saved it
    three times, and the middle save, ``save_revision``'s, redid the first
    one's indexing, about a sixth of the page's cost; an editor's "Save
    draft" redid it too.

    The search index is left alone only where every search backend keeps
    the text alone (the database backends: they filter on the table's
    columns). Elasticsearch and OpenSearch also store a page's filter
    fields, ``locked`` and ``latest_revision_created_at`` among them, which
    such a save changes: there it is updated as Wagtail does.
    """

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or not set(update_fields) <= DRAFT_FIELDS:
            return super().save(*args, **kwargs)  # type: ignore[misc]
        # Imported here: Wagtail's signal handlers load models on import, and
        # the page models import this module.
        from wagtail.signal_handlers import (
            disable_reference_index_auto_update,
            reference_index_auto_update_disabled,
        )

        before = getattr(_state, "draft_saves", ())
        if search_keeps_text_only():
            # The mixin goes on page classes only.
            _wrap_search_handlers([cast("type[models.Model]", type(self))])
            _state.draft_saves = (*before, self)
        try:
            if getattr(reference_index_auto_update_disabled, "value", False):
                return super().save(*args, **kwargs)  # type: ignore[misc]
            with disable_reference_index_auto_update():
                return super().save(*args, **kwargs)  # type: ignore[misc]
        finally:
            _state.draft_saves = before


@from_settings
def search_keeps_text_only() -> bool:
    """Is every configured search backend one of modelsearch's database
    backends, which index a model's searchable text and read its filter
    fields from the table?"""
    return all(
        any(
            cls.__module__.startswith(DATABASE_BACKENDS)
            for cls in type(backend).__mro__
        )
        for backend in get_search_backends(with_auto_update=True)
    )


def update_indexes(
    search: Mapping[type[models.Model], Iterable[int]],
    references: Mapping[type[models.Model], Iterable[int]] | None = None,
) -> None:
    """Bring the search index up to date for the objects in ``search`` and the
    reference index for those in ``references`` (model -> primary keys)."""
    backends = [
        backend
        for _name, backend in search_index.get_search_backends_with_name(
            with_auto_update=True
        )
    ]
    for model, pks in search.items():
        if not search_index.class_is_indexed(model):
            continue
        indexed = model.get_indexed_objects()  # type: ignore[attr-defined]
        for objects in _chunks(model, indexed, pks):
            for backend in backends:
                backend.add_bulk(model, objects)
    for model, pks in (references or {}).items():
        if not ReferenceIndex.is_indexed(model):
            continue
        for objects in _chunks(model, model._default_manager.all(), pks):
            with transaction.atomic():
                for obj in objects:
                    ReferenceIndex.create_or_update_for_object(obj)


def _chunks(model, queryset, pks: Iterable[int]) -> Iterator[list[models.Model]]:
    ids = sorted(set(pks))
    for start in range(0, len(ids), CHUNK_SIZE):
        objects = list(queryset.filter(pk__in=ids[start : start + CHUNK_SIZE]))
        if objects:
            yield objects
