"""PostgreSQL: rank on the index table with the GIN index on ``title || body``.

modelsearch filters on ``title || body @@ query``; Wagtail's migrations index
``title`` and ``body`` separately, so that expression was evaluated for every
index entry (home/migrations/0003 adds the expression index). It also joins
the index to the searched pages on ``object_id = pk::varchar``, which cannot
use the pages' primary key: here the matches are ranked on the index table
alone and the pages are fetched by primary key.
"""

from __future__ import annotations

from django.db.models import (
    BigIntegerField,
    BooleanField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast
from modelsearch.backends.database.postgres.postgres import (
    IndexEntry,
    PostgresSearchQueryCompiler,
    PostgresSearchResults,
)
from modelsearch.utils import get_descendants_content_types_pks

from .ranked import RankedSearchMixin, RankedSearchResultsMixin

INTEGER_KEYS = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField"}


class PostgresRankedQueryCompiler(RankedSearchMixin, PostgresSearchQueryCompiler):
    def _matching_entries(self, search_query) -> QuerySet:
        # The same expression as the migration's index, so the index is used.
        vector = CombinedExpression(F("title"), "||", F("body"))
        return (
            IndexEntry._default_manager.using(self.queryset.db)
            .filter(
                content_type_id__in=get_descendants_content_types_pks(
                    self.queryset.model
                )
            )
            .annotate(_vector_=vector)
            .filter(_vector_=search_query)
        )

    def _key_field(self):
        key = self.queryset.model._meta.pk
        return getattr(key, "target_field", key)  # a child page's parent link

    def matching_pks(self, config) -> QuerySet:
        search_query = self.build_tsquery(self.query, config=config)
        # Cast in the select list: computed only for the rows that matched,
        # all of the searched model's content types.
        return self._matching_entries(search_query).values(
            _pk=Cast("object_id", self._key_field())
        )

    def rank_matches(self, config) -> list[tuple[str, float]]:
        search_query = self.build_tsquery(self.query, config=config)
        rank = self._build_rank_expression(
            [(F("title"), F("title_norm")), (F("body"), 1.0)], config
        )
        ordering = [F("_title_match").desc(), F("_score").desc()]
        if self._key_field().get_internal_type() in INTEGER_KEYS:
            ordering.append(Cast("object_id", BigIntegerField()).desc())
        ordering.append(F("object_id").desc())
        entries = (
            self._matching_entries(search_query)
            .annotate(
                _title_match=ExpressionWrapper(
                    Q(title=search_query), output_field=BooleanField()
                ),
                _score=rank,
            )
            .order_by(*ordering)
        )
        return list(entries.values_list("object_id", "_score"))


class PostgresRankedSearchResults(RankedSearchResultsMixin, PostgresSearchResults):
    pass
