"""SQLite (FTS5): rank on the full-text table, never per candidate page.

modelsearch orders by a correlated subquery that runs the FTS ``MATCH`` once
per candidate page, and SQLite drives its ``pk IN (...)`` filter from the
index entry table, probing FTS5 once per entry: seconds at 20,000 reviews.
Here the ``MATCH`` runs once, as the outer loop (``CROSS JOIN`` fixes the
order), and every match is scored with ``bm25`` in the same pass.
"""

from __future__ import annotations

from django.db import connections
from django.db.models.expressions import RawSQL
from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
from modelsearch.backends.database.sqlite.sqlite import (
    IndexEntry,
    SQLiteFTSIndexEntry,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
)
from modelsearch.utils import get_descendants_content_types_pks

from .ranked import RankedSearchMixin, RankedSearchResultsMixin

#: bm25 weights in the FTS table's column order (autocomplete, body, title;
#: see wagtailsearch's 0006 migration): autocomplete text is not searched.
BM25_WEIGHTS = "0.0, 1.0, 1.0"


class SQLiteRankedQueryCompiler(RankedSearchMixin, SQLiteSearchQueryCompiler):
    def _match_params(self, config, columns: list[str]) -> list[str]:
        search_query = self.build_search_query(normalize(self.query), config=config)
        connection = connections[self.queryset.db]
        compiler = SQLiteFTSIndexEntry.objects.none().query.get_compiler(
            connection=connection
        )
        return MatchExpression(columns, search_query).as_sql(compiler, connection)[1]

    def _matching_entries(self, config, select: str) -> tuple[str, list]:
        """``SELECT <select> FROM`` the matching entries of the searched
        model; FTS5 is the outer loop (``CROSS JOIN`` fixes the order)."""
        content_types = list(get_descendants_content_types_pks(self.queryset.model))
        fts = SQLiteFTSIndexEntry._meta.db_table
        entries = IndexEntry._meta.db_table
        placeholders = ", ".join(["%s"] * len(content_types))
        # Table names and placeholders only: every value is a parameter.
        sql = (
            f"SELECT {select} "  # noqa: S608
            f"FROM {fts} CROSS JOIN {entries} entry ON entry.id = {fts}.rowid "
            f"WHERE {fts} MATCH %s AND entry.content_type_id IN ({placeholders})"
        )
        return sql, [*self._match_params(config, self.FTS_TABLE_FIELDS), *content_types]

    def rank_matches(self, config) -> list[tuple[str, float]]:
        fts = SQLiteFTSIndexEntry._meta.db_table
        sql, params = self._matching_entries(
            config, f"entry.object_id, bm25({fts}, {BM25_WEIGHTS})"
        )
        sql += (
            f" ORDER BY entry.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s) "  # noqa: S608
            "DESC, 2, CAST(entry.object_id AS INTEGER) DESC, entry.object_id DESC"
        )
        params += self._match_params(config, ["title"])
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def matching_pks(self, config) -> RawSQL:
        return RawSQL(*self._matching_entries(config, "entry.object_id"))  # noqa: S611


class SQLiteRankedSearchResults(RankedSearchResultsMixin, SQLiteSearchResults):
    pass
