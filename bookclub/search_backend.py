"""Wagtail's database search backend, made safe for any search string.

modelsearch's SQLite backend passes terms into an FTS5 ``MATCH`` without
escaping double quotes, and builds no query at all for a blank string: both
raise inside the database (a 500 for ``?search="`` or ``?search=%20``).
Quotes carry no meaning in a plain-text search on SQLite, so they are dropped,
and a search with nothing left in it finds nothing.

On SQLite and PostgreSQL, plain searches ordered by relevance are ranked on the
index table (see :mod:`bookclub.search`): fast at tens of thousands of pages,
title matches first.
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from modelsearch.backends.base import EmptySearchResults
from modelsearch.backends.database import SearchBackend as database_backend


@cache
def _safe_class(backend_class: type) -> type:
    drop_quotes = connection.vendor == "sqlite"
    ranked = _ranked_classes(backend_class)

    class SafeSearchBackend(backend_class):
        if ranked:
            query_compiler_class, results_class = ranked

        def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
            if isinstance(query, str):
                if drop_quotes:
                    query = query.replace('"', " ")
                if not query.strip():
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
