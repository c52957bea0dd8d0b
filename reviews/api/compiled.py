"""One row by id, its SQL compiled once per process.

A cold review detail spent a good part of its time in Django turning the
same queryset (the review with its book, cover and reviewer: five tables)
into SQL, text that differs between two requests only by the id.
:func:`get_by_pk` compiles the queryset once per process for each
``variant`` (whatever else the queryset is built from, such as the view
restrictions it excludes), and runs that SQL with each request's id. The
rows, the model instances built from them and the prefetches that follow
are what the queryset itself would give. On PostgreSQL the SQL is also
prepared, once per connection (reviews.prepared).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import MAX_GET_RESULTS
from django.db.models.sql.compiler import SQLCompiler

from ..prepared import PreparingConnection, prepares

#: Stands for the id while the SQL is compiled; no row has it.
PLACEHOLDER = -2_147_480_001
#: Variants kept per process; past this (restrictions changing all the
#: time), the kept SQL is dropped and compiled again as it is asked for.
MAX_VARIANTS = 32


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    #: Where the id goes among ``params``.
    position: int


class _CompiledQuery:
    """Stands in for a queryset's ``query`` where the queryset only loads
    its rows: hands out a copy of the kept compiler that runs the kept SQL
    with this id, on this thread's connection."""

    def __init__(self, compiled: _Compiled, params: tuple[Any, ...]) -> None:
        self.compiled = compiled
        self.params = params

    def get_compiler(
        self, using: str | None = None, connection=None, elide_empty: bool = True
    ) -> SQLCompiler:
        compiler = copy.copy(self.compiled.compiler)
        connection = connection or connections[using or "default"]
        # The same SQL on every request: prepared where the connection may
        # (the stand-in answers as the connection).
        if prepares(connection):
            compiler.connection = PreparingConnection(connection)  # type: ignore[assignment]
        else:
            compiler.connection = connection
        compiler.using = using
        sql, params = self.compiled.sql, self.params
        compiler.as_sql = lambda *args, **kwargs: (sql, params)  # type: ignore[method-assign]
        return compiler


_MISSING = object()
_kept: dict[Hashable, _Compiled | None] = {}
_kept_lock = threading.Lock()


def _compile(queryset: QuerySet, using: str) -> _Compiled | None:
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # no row can match (``none()``): nothing to run
        return None
    positions = [
        i
        for i, param in enumerate(params)
        if type(param) is int and param == PLACEHOLDER
    ]
    if len(positions) != 1:
        return None
    return _Compiled(queryset, compiler, sql, tuple(params), positions[0])


def get_by_pk(
    make: Callable[[], QuerySet],
    pk: int,
    variant: Callable[[], Hashable],
    using: str = "default",
) -> Model:
    """``make().get(pk=pk)``, with the SQL compiled once per process for
    ``variant()``: ``make()`` must build the same queryset every time it is
    called while ``variant()`` gives the same answer.

    ``variant()`` is asked again once ``make()`` has built the queryset, and
    the SQL is kept only if the answer is the same: a change committed in
    between (restrictions read afresh by ``make()`` but not by the first
    ``variant()``) would otherwise keep SQL built from the new content under
    the old content's key, and serve it when that content comes back.
    """
    first = variant()
    key = (using, first)
    with _kept_lock:
        kept = _kept.get(key, _MISSING)
    if kept is _MISSING:
        # As get() would: unordered, at most MAX_GET_RESULTS rows.
        queryset = make().filter(pk=PLACEHOLDER).order_by()[:MAX_GET_RESULTS]
        if variant() != first:
            return make().get(pk=pk)
        compiled = _compile(queryset, using)
        with _kept_lock:
            if len(_kept) >= MAX_VARIANTS:
                _kept.clear()
            _kept[key] = compiled
    else:
        compiled = kept  # type: ignore[assignment]
    if compiled is None:  # the id is not a plain parameter of its SQL, or no SQL
        return make().get(pk=pk)
    params = list(compiled.params)
    params[compiled.position] = pk
    template = compiled.queryset
    loading: QuerySet = QuerySet(
        model=template.model,
        query=_CompiledQuery(compiled, tuple(params)),  # type: ignore[arg-type]
        using=using,
    )
    loading._prefetch_related_lookups = template._prefetch_related_lookups  # type: ignore[attr-defined]
    rows = list(loading)
    if not rows:
        raise template.model.DoesNotExist(
            f"{template.model._meta.object_name} matching query does not exist."
        )
    if len(rows) > 1:
        raise template.model.MultipleObjectsReturned(
            f"get() returned more than one {template.model._meta.object_name}."
        )
    return rows[0]
