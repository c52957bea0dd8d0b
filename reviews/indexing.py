"""Batch the search and reference index updates of a bulk job.

Every save of an indexed model updates the search index, and every save of a
page or snippet the reference index: a few queries each, which dominate a job
that creates thousands of objects (a Goodreads import). Inside
:func:`indexing_deferred`, saves made *by the current thread* skip both, and the
job hands the objects it saved to :func:`update_indexes` at the end.

Other threads (other requests in the same process) are not affected: the
search signal handlers are wrapped once, and the wrapper only skips the update
while the current thread has asked for it. The reference index has its own
context-local switch in Wagtail.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from django.db import models, transaction
from django.db.models.signals import post_save
from modelsearch import index as search_index
from modelsearch import signal_handlers as search_signals
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

__all__ = ["indexing_deferred", "update_indexes"]

_state = threading.local()
_install_lock = threading.Lock()
_wrapped: set[type[models.Model]] = set()
CHUNK_SIZE = 500


def _deferring() -> bool:
    return getattr(_state, "depth", 0) > 0


def _search_on_save(sender, instance, **kwargs) -> None:
    if _deferring():
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
    updates for saves made by this thread inside the block."""
    _wrap_search_handlers(model_classes)
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        _state.depth -= 1


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
