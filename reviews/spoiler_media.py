"""Images and documents that belong to spoilers, for the media listings.

The rule: an image (or document) that is used inside at least one
:class:`~reviews.blocks.SpoilerBlock` and nowhere outside one is part of those
spoilers. Its title alone ("Anna's death") can give the spoiler away, so the
image and document endpoints of both APIs leave it out, list and detail alike.
Readers reach it through the review's body, where
:func:`reviews.spoilers.can_see` decides, as everywhere else; this module
decides no visibility, it only says which media is spoiler content.

Media used anywhere in the open (a book's cover, an image block outside a
spoiler, a link in open text), or not used at all, stays listed: the editor
showed it openly, or nobody tied it to a spoiler.

Usage comes from Wagtail's :class:`~wagtail.models.ReferenceIndex`, whose
``model_path`` names the blocks a reference sits in (``body.spoiler.content.
image.image``), so the whole rule is one subquery, whatever the library's size.
Wagtail updates the index in a background task when content is saved; so
that a queued task backend never lets a just-published spoiler image into the
(cached) listings, :func:`index_on_publish` indexes a page with spoiler blocks
as it is published. ``manage.py rebuild_references_index`` rebuilds it all.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import ReferenceIndex


def _spoiler_paths(block: blocks.Block, path: str) -> Iterator[str]:
    """``model_path`` prefixes, below ``path``, that lie inside a spoiler."""
    from .blocks import SpoilerBlock

    if isinstance(block, SpoilerBlock):
        yield path
    elif isinstance(block, blocks.ListBlock):
        yield from _spoiler_paths(block.child_block, f"{path}.item")
    elif isinstance(block, (blocks.StreamBlock, blocks.StructBlock)):
        for name, child in block.child_blocks.items():
            yield from _spoiler_paths(child, f"{path}.{name}")


@cache
def spoiler_paths_by_model() -> tuple[tuple[type[models.Model], str], ...]:
    """``(model, model_path prefix)`` for every StreamField place a spoiler
    block can sit in. Derived from the block definitions, which are fixed for
    the life of the process."""
    found = []
    for model in apps.get_models():
        # Inherited fields too: a subclass's references are recorded under
        # its own content type.
        for field in model._meta.get_fields():
            if isinstance(field, StreamField):
                for path in _spoiler_paths(field.stream_block, field.name):
                    found.append((model, path))
    return tuple(found)


def _inside_spoiler() -> models.Q | None:
    places = spoiler_paths_by_model()
    if not places:
        return None
    content_types = ContentType.objects.get_for_models(
        *{model for model, _path in places}, for_concrete_models=False
    )
    condition = models.Q()
    for model, path in places:
        condition |= models.Q(
            content_type=content_types[model], model_path__startswith=f"{path}."
        )
    return condition


def spoiler_only_ids(model: type[models.Model]) -> models.QuerySet | None:
    """A subquery of the primary keys of ``model`` objects used only inside
    spoilers (``None`` when no model has spoiler blocks)."""
    inside = _inside_spoiler()
    if inside is None:
        return None
    uses = ReferenceIndex.objects.filter(
        to_content_type=ReferenceIndex._get_base_content_type(model)
    )
    open_uses = uses.exclude(inside).values("to_object_id")
    pk = model._meta.pk
    output = (
        models.BigIntegerField()
        if isinstance(pk, (models.IntegerField, models.AutoField))
        else models.CharField()
    )
    return (
        uses.filter(inside)
        .exclude(to_object_id__in=open_uses)
        .values(object_pk=Cast("to_object_id", output_field=output))
    )


def without_spoiler_media(queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` of images or documents, less those used only in spoilers."""
    ids = spoiler_only_ids(queryset.model)
    if ids is None:
        return queryset
    return queryset.exclude(pk__in=ids)


def index_on_publish(sender, instance, **kwargs) -> None:
    """``page_published``: bring the page's references up to date now, before
    the API caches move on, rather than whenever the task worker gets to it."""
    page = instance.specific
    if any(isinstance(page, model) for model, _path in spoiler_paths_by_model()):
        with transaction.atomic():
            ReferenceIndex.create_or_update_for_object(page)
