"""Wagtail's page view restrictions, without a query per listing.

``PageQuerySet.public()`` reads every restriction (one query) each time it
is called, and a home page calls it five times. :func:`public_pages` applies
the same rule — a page is private when it or an ancestor has a view
restriction — from the restricted paths read once per content version
(restrictions, moves and deletions all move the version on).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from wagtail.models import PageViewRestriction

from .content_version import for_this_version


def restricted_paths() -> list[str]:
    """Tree paths of the pages that carry a view restriction."""
    return for_this_version(
        "restricted-paths",
        lambda: sorted(
            set(PageViewRestriction.objects.values_list("page__path", flat=True))
        ),
    )


def public_pages(queryset: QuerySet) -> QuerySet:
    """``queryset.public()``: no page that is, or is below, a restricted one.
    With no restriction at all the query gets no condition."""
    private = Q()
    for path in restricted_paths():
        private |= Q(path__startswith=path)
    return queryset.exclude(private) if private else queryset
