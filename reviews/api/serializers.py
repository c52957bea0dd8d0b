"""Wagtail's API v2 page serializer, with the work that is the same for every
item of a listing done once per request, or once per process.

Wagtail's serializer builds a new serializer class for every request, lets
Django REST framework work out its fields from the model again, reverses
the detail URL and looks up the sites for the page URL once per item. The
output is the same as Wagtail's (``tests/api/test_v2_serializer.py``
compares them); only where the time goes changes.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from functools import cached_property
from typing import Any

from django.urls.exceptions import NoReverseMatch
from rest_framework.fields import Field, SkipField
from rest_framework.serializers import BaseSerializer
from wagtail.api.v2 import serializers as wagtail_serializers
from wagtail.api.v2.serializers import PageSerializer, get_serializer_class
from wagtail.api.v2.utils import get_object_detail_url
from wagtail.models import Page

from ..derived import for_this_version_in_process
from ..visibility import held_by_unpublished_page, is_public_site_page

#: A primary key no object has, reversed once per request and model to make
#: the detail URL of every item from.
_PK_STANDIN = 987654321987

#: Context key: ``(model, {page id: body})``, bodies already represented for
#: this request (reviews.api.item_cache), shown instead of rendering again.
KEPT_BODIES = "club_kept_bodies"


class DetailUrlField(Field):
    """``meta.detail_url``: Wagtail's, reversed once per model and request."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance) -> str:
        templates = self.context.setdefault("_detail_url_templates", {})
        model = type(instance)
        if model not in templates:
            url = get_object_detail_url(
                self.context["router"], self.context["request"], model, _PK_STANDIN
            )
            templates[model] = url.rpartition(str(_PK_STANDIN)) if url else None
        template = templates[model]
        if template is None:
            raise SkipField  # no endpoint serves this model, as in Wagtail
        head, _, tail = template
        return f"{head}{instance.pk}{tail}"

    def to_representation(self, value: str) -> str:
        return value


class PageHtmlUrlField(Field):
    """``meta.html_url``: the page's full URL, finding the sites once per
    request rather than once per page."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page) -> str | None:
        # The site chosen for a page in several sites stays Wagtail's; the
        # sites' root paths it starts from are reviews.site_root's.
        request = self.context.get("request")
        try:
            return page.get_full_url(request)
        except NoReverseMatch:
            return None


class FieldsOnceMixin:
    """Works a serializer class's fields out once and hands out copies.

    Working the fields out from the model is most of a small response's
    serializer time; the classes are reused (see
    ClubPagesAPIViewSet._get_serializer_class and :func:`parent_serializer`),
    so do it once per class, as DRF does with declared fields.
    """

    def get_fields(self) -> dict[str, Field]:
        cls = type(self)
        fields = cls.__dict__.get("_fields_prototype")
        if fields is None:
            fields = super().get_fields()  # type: ignore[misc]
            cls._fields_prototype = copy.deepcopy(fields)  # type: ignore[attr-defined]
            return fields
        return {name: _unbound_copy(field) for name, field in fields.items()}


def _unbound_copy(field: Field) -> Field:
    """A copy of an unbound prototype ``field`` for one serializer to bind.

    DRF deep-copies a field by building it again from its arguments
    (``Field.__deepcopy__``), validators and all: a third of a cold
    detail's serializer time. Binding sets attributes on the copy alone
    (name, parent, label, source), and representing a value reads what
    the copy shares with the prototype (arguments, error messages), so a
    shallow copy does for a field that holds no other field. One that does
    (a nested serializer, a list of a child field) would share its bound
    children between requests: it is deep-copied, as DRF does.
    """
    if isinstance(field, BaseSerializer) or any(
        isinstance(value, Field) for value in vars(field).values()
    ):
        return copy.deepcopy(field)
    return copy.copy(field)


class _ParentSerializer(FieldsOnceMixin, PageSerializer):
    pass


_PARENT_SERIALIZERS: dict[type, type] = {}


def parent_serializer(model: type) -> type:
    """The serializer Wagtail's ``PageParentField`` builds for a parent of
    class ``model`` on every item, built once."""
    serializer_class = _PARENT_SERIALIZERS.get(model)
    if serializer_class is None:
        serializer_class = _PARENT_SERIALIZERS[model] = get_serializer_class(
            model,
            ["id", "type", "detail_url", "html_url", "title"],
            meta_fields=["type", "detail_url", "html_url"],
            base=_ParentSerializer,
        )
    return serializer_class


def parent_page(page: Page) -> Page:
    """``page.get_parent()``, read once per content version: every review
    under an index has the same parent, and a move, a publish or an edit
    of it moves the version on, as a change of the sites does (Wagtail
    keeps their root paths on the page for its ``full_url``)."""
    depth = page.depth - 1
    path = page.path[: depth * page.steplen]
    return for_this_version_in_process(f"parent-page:{path}", page.get_parent)


class PageParentField(wagtail_serializers.PageParentField):
    """``meta.parent``: Wagtail's, without its two queries per detail (the
    parent page, then whether the reader may see it) where the answers are
    known: the parent from :func:`parent_page`, and whether an anonymous
    reader sees it from the view restrictions and the site, read once per
    content version (reviews.visibility.is_public_site_page)."""

    def get_attribute(self, instance):
        if instance.depth <= 1:
            return super().get_attribute(instance)
        return readable_or_none(self.context, parent_page(instance))

    def to_representation(self, value):
        serializer = parent_serializer(type(value))(context=self.context)
        return serializer.to_representation(value)


def readable_or_none(context: dict, page: Page | None) -> Page | None:
    """``page`` where a listing may name it to the reader of this response
    (it is among the endpoint's pages and no unpublished page holds it),
    else None. A field of a listed page is a listing's: a page served only
    at its own address, below an unpublished section, is not named."""
    if page is None or held_by_unpublished_page(page):
        return None
    shown = is_public_site_page(context["request"], page)
    if shown is None:
        shown = context["base_queryset"].filter(id=page.id).exists()
    return page if shown else None


class PageAliasOfField(PageParentField):
    """``meta.alias_of``: the page an alias mirrors, only where the reader
    may read it. Wagtail's names it whatever it is, so a public alias gave
    away the id and address of an original that a view restriction covers
    or that was unpublished."""

    def get_attribute(self, instance):
        return readable_or_none(self.context, instance.alias_of)


class ClubPageSerializer(FieldsOnceMixin, PageSerializer):
    detail_url = DetailUrlField()
    html_url = PageHtmlUrlField()
    parent = PageParentField(read_only=True)
    alias_of = PageAliasOfField(read_only=True)

    @cached_property
    def _field_plan(self) -> tuple[list[Field], list[Field], bool]:
        fields = [field for field in self.fields.values() if not field.write_only]
        meta = [field for field in fields if field.field_name in self.meta_fields]
        core = [field for field in fields if field.field_name not in self.meta_fields]
        return meta, core, any(field.field_name == "id" for field in core)

    def to_representation(self, instance) -> OrderedDict:
        """Wagtail's ``BaseSerializer.to_representation`` with the fields
        sorted into meta and core once, not once per item."""
        meta_fields, core_fields, has_id = self._field_plan
        data: OrderedDict = OrderedDict()
        if has_id:
            data["id"] = None
        meta: OrderedDict = OrderedDict()
        for field in meta_fields:
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            meta[field.field_name] = (
                None if attribute is None else field.to_representation(attribute)
            )
        if meta:
            data["meta"] = meta
        kept_model, kept = self.context.get(KEPT_BODIES, (None, {}))
        if type(instance) is not kept_model:
            kept = {}
        for field in core_fields:
            if field.field_name == "body" and instance.pk in kept:
                data["body"] = kept[instance.pk]
                continue
            try:
                if field.field_name == "admin_display_title":
                    instance = instance.specific_deferred
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            data[field.field_name] = (
                None if attribute is None else field.to_representation(attribute)
            )
        return data
