"""Listing totals remembered for the current content version.

A listing's ``count`` is a ``COUNT(*)`` over every matching row: it is the
one part of a page of 20 reviews that grows with the catalogue (about 45 ms
of SQL at 20,000 reviews on PostgreSQL, against 5 ms for the 20 rows). The
total of a *public* listing can only change when the content changes, and
every such change moves the content version on, so the total is kept with
:func:`reviews.content_version.for_this_version` under the listing's SQL.

Only listings whose rows do not depend on who asks may use this: a
member's own drafts or progress change without a new content version.
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from .content_version import for_this_version

Q = TypeVar("Q", bound=QuerySet)


def remembered_count(queryset: QuerySet) -> int:
    """``queryset.count()``, computed once per content version.

    Keyed by the SQL of the rows' ids: the same rows, without compiling the
    columns, joins and ordering of the full listing query for every count.
    """
    try:
        sql, params = queryset.order_by().values_list("pk").query.sql_with_params()
    except EmptyResultSet:
        return 0
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()[:40]
    return for_this_version(f"count:{digest}", lambda: QuerySet.count(queryset))


_classes: dict[type, type] = {}


def with_remembered_count(queryset: Q) -> Q:
    """A copy of ``queryset`` whose ``count()`` is :func:`remembered_count`,
    for code that counts a queryset it is handed (Wagtail's v2 paginator)."""
    base = type(queryset)
    if base not in _classes:
        _classes[base] = type(
            f"RememberedCount{base.__name__}",
            (base,),
            {"count": remembered_count, "__module__": __name__},
        )
    clone = queryset.all()
    clone.__class__ = _classes[base]
    return clone
