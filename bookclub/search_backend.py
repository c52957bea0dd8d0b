"""Wagtail's database search backend, made safe for any search string.

modelsearch's SQLite backend passes terms into an FTS5 ``MATCH`` without
escaping double quotes, and builds no query at all for a blank string: both
raise inside the database (a 500 for ``?search="`` or ``?search=%20``).
Quotes carry no meaning in a plain-text search on SQLite, so they are dropped,
and a search with nothing left in it finds nothing. A word of punctuation
alone (``&`` in ``bread & salt``) is dropped on every database: SQLite's
query took it as a word no page holds, and found nothing at all.

On SQLite and PostgreSQL, plain searches ordered by relevance are ranked on the
index table (see :mod:`bookclub.search`): fast at tens of thousands of pages,
title matches first.

Indexing a page writes its own entry and weighs only that entry
(:class:`_OwnEntryTitleNorms`), not the whole index.
"""

from __future__ import annotations

import threading
import time
from functools import cache

from django.db import connection
from django.db.models import Avg, Count, F
from django.db.models.functions import Length
from modelsearch.backends.base import EmptySearchResults
from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.utils import get_content_type_pk


@cache
def _safe_class(backend_class: type) -> type:
    drop_quotes = connection.vendor == "sqlite"
    ranked = _ranked_classes(backend_class)
    modelsearch_index: type = getattr(backend_class, "index_class", object)

    class SafeSearchBackend(backend_class):
        if ranked:
            query_compiler_class, results_class = ranked
        if hasattr(modelsearch_index, "_refresh_title_norms"):
            index_class = type(
                modelsearch_index.__name__,
                (_OwnEntryTitleNorms, modelsearch_index),
                {},
            )

        def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
            if isinstance(query, str):
                if drop_quotes:
                    query = query.replace('"', " ")
                query = " ".join(
                    word
                    for word in query.split()
                    if any(char.isalnum() for char in word)
                )
                if not query:
                    return EmptySearchResults()
            return super()._search(
                query_compiler_class, query, model_or_queryset, **kwargs
            )

    SafeSearchBackend.__name__ = f"Safe{backend_class.__name__}"
    return SafeSearchBackend


def _ranked_classes(backend_class: type) -> tuple[type, type] | None:
    if backend_class.__name__ == "SQLiteSearchBackend":
        from .search.sqlite import SQLiteRankedQueryCompiler, SQLiteRankedSearchResults

        return SQLiteRankedQueryCompiler, SQLiteRankedSearchResults
    if backend_class.__name__ == "PostgresSearchBackend":
        from .search.postgres import (
            PostgresRankedQueryCompiler,
            PostgresRankedSearchResults,
        )

        return PostgresRankedQueryCompiler, PostgresRankedSearchResults
    return None


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up
    backend = database_backend(params)
    backend.__class__ = _safe_class(type(backend))
    return backend


#: Seconds the average title length is kept in a process, and the number
#: of titles from which it is: below that, one more moves it, and working it
#: out costs little.
AVERAGE_SECONDS = 600
AVERAGE_KEPT_FROM = 1000
_average: dict[str, tuple[float, float]] = {}
_average_lock = threading.Lock()


def forget_average_title_length() -> None:
    """Work the average out afresh next time (a full ``update_index`` does)."""
    with _average_lock:
        _average.clear()


class _OwnEntryTitleNorms:
    """For modelsearch's SQLite and PostgreSQL index classes: indexing pages
    weighs the entries just written, not the whole index.

    A title match counts ``lavg / ld``: the average title length (in terms)
    over the index, over this title's, kept in each entry's ``title_norm``.
    After every page it indexes, modelsearch works the average out over the
    whole index table and then rewrites every entry still at the default
    weight, also found by reading the whole table: at 20,000 reviews about
    half of an editor's publish (which saves, and so indexes, the page
    twice). Here the entries just written are weighed, by object id, with
    the average kept for :data:`AVERAGE_SECONDS` per process once
    there are :data:`AVERAGE_KEPT_FROM` titles: one entry moves such an
    average by a hair, and modelsearch's own weights
    are no fresher, since it never rewrites an entry once weighed. A full
    ``update_index`` still weighs every entry against an average worked
    out then (``full=True``). Written here because modelsearch has no
    setting for it.
    """

    _just_written: tuple[int, list[str]] | None = None

    def add_items(self, model, objs) -> None:
        objs = list(objs)
        self._just_written = (
            get_content_type_pk(model),
            [str(obj.pk) for obj in objs],
        )
        try:
            super().add_items(model, objs)  # type: ignore[misc]
        finally:
            self._just_written = None

    def _refresh_title_norms(self, full: bool = False) -> None:
        written = self._just_written
        if full or written is None:
            forget_average_title_length()
            super()._refresh_title_norms(full)  # type: ignore[misc]
            return
        average = self._average_title_length()
        if average is None:  # no entry has a title yet
            return
        content_type_pk, object_ids = written
        self.entries.filter(  # type: ignore[attr-defined]
            content_type_id=content_type_pk, object_id__in=object_ids
        ).annotate(title_length=Length("title")).filter(title_length__gt=0).update(
            title_norm=average / F("title_length")
        )

    def _average_title_length(self) -> float | None:
        alias = self.write_connection.alias  # type: ignore[attr-defined]
        now = time.monotonic()
        with _average_lock:
            kept = _average.get(alias)
        if kept is not None and kept[1] > now:
            return kept[0]
        worked_out = (
            self.entries.annotate(title_length=Length("title"))  # type: ignore[attr-defined]
            .filter(title_length__gt=0)
            .aggregate(average=Avg("title_length"), titles=Count("pk"))
        )
        average = worked_out["average"]
        if average is not None and worked_out["titles"] >= AVERAGE_KEPT_FROM:
            with _average_lock:
                _average[alias] = (average, now + AVERAGE_SECONDS)
        return average
