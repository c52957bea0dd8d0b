"""Listing totals remembered for the current content version.

A listing's ``count`` is a ``COUNT(*)`` over every matching row: it is the
one part of a page of 20 reviews that grows with the catalogue (about 45 ms
of SQL at 20,000 reviews on PostgreSQL, against 5 ms for the 20 rows). The
total of a *public* listing can only change when the content changes, and
every such change moves the content version on, so the total is kept with
:func:`reviews.derived.for_this_version` under the listing's SQL.

The total of *every* public review (below a page or a Site, no filter) moves
with fewer changes still: only with which reviews are public
(:data:`reviews.cache_tags.PUBLIC_REVIEWS`), not with a new revision of one
of them, which is what most publishes are. Such a total is kept under that
tag (``tag=``), so the listings rebuilt after a publish do not count again.

Only listings whose rows do not depend on who asks may use this: a
member's own drafts or progress change without a new content version.
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from .derived import for_tag_version, for_this_version

Q = TypeVar("Q", bound=QuerySet)


def query_key(queryset: QuerySet) -> str | None:
    """A short key for ``queryset``'s SQL and database; None when the query
    can match nothing (Django raises rather than write it)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    return hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()[:40]


def remembered_count(queryset: QuerySet, *, tag: str | None = None) -> int:
    """``queryset.count()``, computed once per content version, or, with
    ``tag``, once per version of that tag: only for a queryset whose rows
    nothing but a change retiring ``tag`` can add or take away.

    Keyed by the SQL of the rows' ids: the same rows, without compiling the
    columns, joins and ordering of the full listing query for every count.
    """
    digest = query_key(queryset.order_by().values_list("pk"))
    if digest is None:
        return 0
    name = f"count:{digest}"
    if tag is not None:
        return for_tag_version(tag, name, lambda: QuerySet.count(queryset))
    return for_this_version(name, lambda: QuerySet.count(queryset))


_classes: dict[tuple[type, str | None], type] = {}


def with_remembered_count(queryset: Q, *, tag: str | None = None) -> Q:
    """A copy of ``queryset`` whose ``count()`` is :func:`remembered_count`,
    for code that counts a queryset it is handed (Wagtail's v2 paginator,
    Django's)."""
    base = type(queryset)
    if (base, tag) not in _classes:

        def count(self: QuerySet) -> int:
            return remembered_count(self, tag=tag)

        _classes[base, tag] = type(
            f"RememberedCount{base.__name__}",
            (base,),
            {"count": count, "__module__": __name__},
        )
    clone = queryset.all()
    clone.__class__ = _classes[base, tag]
    return clone
