"""Wagtail's page view restrictions, applied inside the query that lists pages.

``PageQuerySet.public()`` first reads every restriction (one query) and then
adds one ``path LIKE`` condition per restricted section. :func:`public_pages`
keeps the same rule — a page is private when it or an ancestor has a view
restriction — as a ``NOT EXISTS`` in the listing's own query.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction


def public_pages(queryset: QuerySet) -> QuerySet:
    """``queryset.public()`` in one query: no restricted page is an ancestor
    of (or is) the page. Treebeard paths make "ancestor" a path prefix."""
    restricted_ancestor = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return queryset.filter(~Exists(restricted_ancestor))
