"""Routing a URL to a page in fewer queries than Wagtail's ``Page.route``.

Wagtail loads every page on the way down twice: once as a plain ``Page``
(found by slug) and once in its specific form. A page that is only passed
through needs neither its own fields nor its specific row, and an index page
knows the type of its children: it fetches the child in its specific form,
with the relations its template shows, in one query.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from wagtail.models import Page


class ChildRoutingMixin:
    """Page mixin: route to children in one query each.

    ``routed_child_model`` is the type the page's children normally have, as
    an ``"app_label.ModelName"`` (``None``: any); ``routed_child_related`` the
    relations to load with such a child. A child of another type is still
    found, the way Wagtail finds it.
    """

    routed_child_model: str | None = None
    routed_child_related: tuple[str, ...] = ()

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        slug, remaining = path_components[0], path_components[1:]
        child = None
        if self.routed_child_model is not None:
            model = apps.get_model(self.routed_child_model)
            child = (
                self.routed_child_queryset(model.objects.child_of(self))
                .filter(slug=slug)
                .first()
            )
        if child is None:
            try:
                found = self.get_children().get(slug=slug)
            except Page.DoesNotExist as error:
                raise Http404 from error
            # A page passed through needs none of its own fields.
            child = found.specific_deferred if remaining else found.specific
        # Treebeard's get_parent() uses this instead of another query.
        child._cached_parent_obj = self
        return child.route(request, remaining)

    def routed_child_queryset(self, queryset: QuerySet) -> QuerySet:
        """The children of the usual type, with what their pages show."""
        return queryset.select_related(*self.routed_child_related)
