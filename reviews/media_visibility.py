"""Which images and documents a reader may receive, in every channel.

The rule: an image or document is public when the *published* revision of a
live, public page uses it outside every spoiler block, when it is a book's
cover (books are kept by editors and every book listing shows the cover), or
when an editor approved it. Anything else (a member's fresh upload, an image
used only inside spoilers, one used only in a draft or a pending revision or
on a restricted page) is visible to its uploader and to editors only.
:func:`visible_media` applies the rule to a queryset; every media listing,
detail, chooser and reference check goes through it. Hidden media must look
exactly like missing media, so callers filter with it before any lookup.

Where live pages use media is kept in
:class:`~reviews.models.PublishedMediaUse`, written from the page as readers
are served it (its row, which holds the published revision; never a draft)
by :func:`index_page` when a page is published or unpublished, and rebuilt
whole by ``manage.py index_published_media``. It holds what a page uses,
not who may see the page: a view restriction, added, removed or moved over,
is asked when the media are read (:func:`public_condition`), so it rewrites
nothing and is honoured however it was written. Spoiler blocks are found from the block
definitions (:func:`spoiler_paths_by_model`); the references themselves come
from the extractor behind Wagtail's own reference index.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from functools import cache
from string import ascii_lowercase, digits

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models.functions import Cast
from django.dispatch import Signal
from django.utils.crypto import get_random_string
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.documents.rich_text.contentstate import (
    DocumentLinkElementHandler,
    document_link_entity,
)
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex
from wagtail.permission_policies.collections import (
    CollectionOwnershipPermissionPolicy,
)
from wagtail.permission_policies.pages import PagePermissionPolicy

from .blocks import SpoilerBlock

# Submodules, not the package: the models import the page forms, which import
# this module while the package is still loading.
from .models.books import Book
from .models.media import PublishedMediaUse
from .visibility import current_user, public_pages


def _spoiler_paths(block: blocks.Block, path: str) -> Iterator[str]:
    """``model_path`` prefixes, below ``path``, that lie inside a spoiler."""
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


def _spoiler_prefixes(page: Page) -> tuple[str, ...]:
    return tuple(
        f"{path}."
        for model, path in spoiler_paths_by_model()
        if isinstance(page, model)
    )


# --- who sees what -----------------------------------------------------------

_page_permissions = PagePermissionPolicy()


def sees_all_media(user) -> bool:
    """Editors (whoever may publish a page) and superusers see every item:
    they are the ones who approve media."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _page_permissions.user_has_permission(user, "publish")


def _object_ids(queryset: models.QuerySet, model: type[models.Model]):
    pk = model._meta.pk
    output = (
        models.BigIntegerField()
        if isinstance(pk, (models.IntegerField, models.AutoField))
        else models.CharField()
    )
    return queryset.values(object_pk=Cast("object_id", output_field=output))


def public_condition(model: type[models.Model]) -> models.Q:
    """The rule's public half, as a condition on ``model``'s queryset."""
    content_type = ReferenceIndex._get_base_content_type(model)
    # The recorded uses follow a page's publish and unpublish through
    # Django's signals; whether a reader may see the page is asked here,
    # from its row and the restricted paths, which the database's triggers
    # keep current. An unpublish written past the signals (update(), SQL)
    # leaves the rows, and the page's row says it is no longer live.
    open_uses = public_pages(
        PublishedMediaUse.objects.filter(
            content_type=content_type, open=True, page__live=True
        ),
        field="page__path",
    )
    condition = models.Q(pk__in=_object_ids(open_uses, model))
    names = {field.name for field in model._meta.get_fields()}
    if "club_approval" in names:
        condition |= models.Q(club_approval__isnull=False)
    if Book._meta.get_field("cover").related_model is model:
        condition |= models.Q(
            pk__in=Book.objects.filter(cover__isnull=False).values("cover_id")
        )
    return condition


def visible_media(queryset: models.QuerySet, user=None) -> models.QuerySet:
    """``queryset`` of images or documents, less what ``user`` may not see."""
    if sees_all_media(user):
        return queryset
    condition = public_condition(queryset.model)
    model = queryset.model
    if user is not None and user.is_authenticated:
        names = {field.name for field in model._meta.get_fields()}
        if "uploaded_by_user" in names:
            condition |= models.Q(uploaded_by_user=user)
    # One condition on the primary key, which every search backend can filter
    # on: a search (the APIs' ``search=``, the admin choosers) refuses the
    # relations the rule looks through.
    return queryset.filter(pk__in=model._default_manager.filter(condition).values("pk"))


def unseen_references(value, user, *, already=None) -> set[str]:
    """Ids of the images and documents a StreamField ``value`` refers to that
    ``user`` may not see. Those already in ``already`` (the stored value) are
    left alone: an editor may have put them there."""

    def media(stream) -> dict[type[models.Model], set[str]]:
        found: dict[type[models.Model], set[str]] = {}
        if stream is None:
            return found
        for model, object_id, _path, _content in stream.stream_block.extract_references(
            stream
        ):
            if _is_media(model):
                found.setdefault(model, set()).add(str(object_id))
        return found

    kept = media(already)
    unseen: set[str] = set()
    for model, ids in media(value).items():
        wanted = ids - kept.get(model, set())
        if not wanted:
            continue
        seen = {
            str(pk)
            for pk in visible_media(
                model._default_manager.filter(pk__in=wanted), user
            ).values_list("pk", flat=True)
        }
        unseen |= wanted - seen
    return unseen


def is_public(instance: models.Model) -> bool:
    """Does the rule's public half hold for this image or document?"""
    model = type(instance)
    return (
        model._default_manager.filter(pk=instance.pk)
        .filter(public_condition(model))
        .exists()
    )


class VisibleMediaPermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's own policy for images and documents, with "choose" reaching
    only what the user may see: every admin chooser view (listing, chosen,
    chosen-multiple, format selection) asks the policy, not only the listing
    that the ``construct_*_chooser_queryset`` hooks narrow.

    And "change" of a public item is the editors' alone: an editor approved
    the title and file they looked at, or a published review used the item
    as it was, and a member's change would reach every reader unmoderated
    (a review's own changes wait for an editor). Its member may still
    delete it."""

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = set(actions)
        if "choose" in actions and not (
            visible_media(
                type(instance)._default_manager.filter(pk=instance.pk), user
            ).exists()
        ):
            actions.discard("choose")
            if not actions:
                return False
        if "change" in actions and not sees_all_media(user) and is_public(instance):
            actions.discard("change")
            if not actions:
                return False
        return super().user_has_any_permission_for_instance(user, actions, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        instances = super().instances_user_has_any_permission_for(user, actions)
        if set(actions) == {"choose"}:
            return visible_media(instances, user)
        if set(actions) == {"change"} and not sees_all_media(user):
            return instances.exclude(public_condition(instances.model))
        return instances


class VisibleDocumentLinkElementHandler(DocumentLinkElementHandler):
    """Wagtail's reading of a document link into the rich text editor's
    data, which names the document's address and file name: for a document
    the user may not see, only its id, as for a missing one. A member who
    sent another's id in a review was shown its name in the form that
    refused it."""

    def get_attribute_data(self, attrs):
        data = super().get_attribute_data(attrs)
        if "url" not in data:
            return data
        model = get_document_model()
        if visible_media(model.objects.filter(pk=data["id"]), current_user()).exists():
            return data
        return {"id": data["id"]}


def use_visible_document_links(features) -> None:
    """Put :class:`VisibleDocumentLinkElementHandler` in place of Wagtail's
    (a ``register_rich_text_features`` hook that runs after Wagtail's
    own)."""
    features.register_converter_rule(
        "contentstate",
        "document-link",
        {
            "from_database_format": {
                'a[linktype="document"]': VisibleDocumentLinkElementHandler("DOCUMENT")
            },
            "to_database_format": {
                "entity_decorators": {"DOCUMENT": document_link_entity}
            },
        },
    )


# --- where a document's file is stored ------------------------------------------

#: The length of the random folder each uploaded document's file goes in.
UPLOAD_FOLDER_LENGTH = 16


def store_document_apart(sender, instance, **kwargs) -> None:
    """``pre_save`` of the document model: a file just uploaded goes in a
    folder of its own, named at random, under its own name.

    Storage made a taken name free with a random ending, so the name an
    upload came back with ("bruno-dies_x7Kq2Lm.txt") told whether another
    document, one the member may not see, had that name; and a stored name
    that follows the upload's alone can be guessed where the folder is
    served directly. The download address, ``/documents/<id>/<file name>``,
    keeps the name as uploaded."""
    file = instance.file
    if not file or file._committed:
        return
    folder = get_random_string(UPLOAD_FOLDER_LENGTH, ascii_lowercase + digits)
    file.name = posixpath.join(folder, posixpath.basename(file.name))


# --- where published pages use media -----------------------------------------


def _uses(published: Page) -> Iterable[tuple[int, str, bool]]:
    """``(content type id, object id, open)`` for each media item the page
    uses; an item is open when at least one use is outside every spoiler."""
    prefixes = _spoiler_prefixes(published)
    seen: dict[tuple[int, str], bool] = {}
    for (
        content_type_id,
        object_id,
        model_path,
        _content_path,
    ) in ReferenceIndex._extract_references_from_object(published):
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not _is_media(model):
            continue
        is_open = not model_path.startswith(prefixes) if prefixes else True
        key = (content_type_id, object_id)
        seen[key] = seen.get(key, False) or is_open
    return [(ct, object_id, is_open) for (ct, object_id), is_open in seen.items()]


def _is_media(model: type[models.Model]) -> bool:
    return issubclass(model, (get_image_model(), get_document_model()))


#: Sent, inside the change's transaction, when :func:`index_page` found that
#: a page's published media uses changed, so which media are public may have
#: (``sender`` is None). A page republished with the same media sends nothing.
media_uses_changed = Signal()


def _recorded(page_id: int) -> set[tuple[int, str, bool]]:
    return set(
        PublishedMediaUse.objects.filter(page_id=page_id).values_list(
            "content_type_id", "object_id", "open"
        )
    )


def index_page(page: Page, published: Page | None = None) -> None:
    """Rewrite the media uses recorded for ``page`` from what readers are
    served (none when it is not live). ``published`` is the page as
    just published, when the caller has it (``page_published`` sends it):
    otherwise it is read back from the database."""
    _rewrite(page.pk, _served_uses(page.pk, published=published))


def forget_page(page: Page) -> None:
    """Drop the media uses recorded for ``page``: it is no longer live."""
    _rewrite(page.pk, set())


def _rewrite(page_id: int, uses: set[tuple[int, str, bool]]) -> None:
    """Record ``uses`` for ``page_id``, if they are not what is recorded:
    most publishes keep a page's media, and then nothing is written."""
    if uses == _recorded(page_id):
        return
    with transaction.atomic():
        PublishedMediaUse.objects.filter(page_id=page_id).delete()
        PublishedMediaUse.objects.bulk_create(
            PublishedMediaUse(
                page_id=page_id,
                content_type_id=content_type_id,
                object_id=object_id,
                open=is_open,
            )
            for content_type_id, object_id, is_open in uses
        )
        media_uses_changed.send(sender=None)


def _served_uses(
    page_id: int, *, published: Page | None = None
) -> set[tuple[int, str, bool]]:
    """The media uses of ``page_id`` as readers are served it: none when it
    is not live. A view restriction is not asked here but when media are
    read, so that adding or lifting one rewrites nothing."""
    if published is not None:
        specific: Page | None = published
    else:
        current = Page.objects.filter(pk=page_id).first()
        try:
            specific = current.specific if current is not None else None
        except ObjectDoesNotExist:
            # Its specific row is gone (a deletion half done): Wagtail
            # cannot serve it either.
            return set()
    # The page's own row, not its ``live_revision``: that can be another
    # page's revision (an alias keeps its original's) or a draft (a copy of a
    # live page with unpublished changes). Wagtail serves the row, and a
    # publish writes the revision into it.
    if specific is None or not specific.live:
        return set()
    return {(ct, str(object_id), is_open) for ct, object_id, is_open in _uses(specific)}


def rebuild() -> int:
    """Rewrite the whole table from every live page; returns the row count."""
    with transaction.atomic():
        PublishedMediaUse.objects.all().delete()
        for page in Page.objects.live().only("pk").iterator():
            index_page(page)
    return PublishedMediaUse.objects.count()


# --- signal receivers ----------------------------------------------------------


def on_page_changed(sender, instance, **kwargs) -> None:
    """``page_published``: only the published revision counts, so rewrite
    from it (``instance``, the revision as Wagtail just saved it) before the
    caches move on."""
    index_page(instance, published=instance)


def on_page_unpublished(sender, instance, **kwargs) -> None:
    """``page_unpublished``. Not read back from the database: Wagtail
    unpublishes a page it is deleting without saving it, so its row still
    says live, and rows written from it outlived the page (its media stayed
    public)."""
    forget_page(instance)
