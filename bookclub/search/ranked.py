"""Search results ranked on the index table, then restricted to the queryset.

Used for plain searches (``PlainText``/``Phrase``, no ``fields=``, not
autocomplete); anything else goes through modelsearch unchanged. Ordered by
relevance, the ranked list and the queryset's share of it are computed once
per search and kept on the query compiler, which every slice of the results
shares: the count and the page of a paginated listing cost one ranking.
Ordered by a field (``?search=…&order=…``), the queryset is filtered by the
matching ids and keeps its own order: no ranking at all, where modelsearch
scored every match in a correlated subquery (1.4 s at 20,000 reviews on
SQLite).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from modelsearch.query import Phrase, PlainText

#: Up to this many matches are restricted to the queryset with literal ids
#: (primary key lookups); more with a subquery that repeats the match.
MAX_LITERAL_IDS = 2000


class RankedSearchMixin:
    """Mixed into a modelsearch query compiler; subclasses implement
    :meth:`rank_matches`."""

    # Set by the query compiler this is mixed into.
    fields: Any
    query: Any
    queryset: QuerySet

    def uses_ranked_search(self) -> bool:
        return self.fields is None and isinstance(self.query, (PlainText, Phrase))

    def matches_in_queryset_order(self, config):
        """The searched queryset, in its own order, narrowed to the matches."""
        return self.queryset.filter(pk__in=self.matching_pks(config))

    def rank_matches(self, config) -> list[tuple[str, float]]:
        """``(object_id, score)`` of every index entry of the searched model
        (and its subclasses) that matches, best first: title matches, then
        by score, then newest (highest primary key)."""
        raise NotImplementedError

    def matching_pks(self, config):
        """A subquery of the primary keys of every match (for ``pk__in``)."""
        raise NotImplementedError

    def visible_matches(self, config) -> list[tuple[Any, float]]:
        """The ranked matches that the searched queryset contains, as
        ``(pk, score)``."""
        cached = getattr(self, "_visible_matches", None)
        if cached is None:
            pk_field = self.queryset.model._meta.pk
            ranked = [
                (pk_field.to_python(object_id), score)
                for object_id, score in self.rank_matches(config)
            ]
            found: set = set()
            queryset = self.queryset.order_by().values_list("pk", flat=True)
            if len(ranked) > MAX_LITERAL_IDS:
                # Many matches: let the database intersect, one query.
                found.update(queryset.filter(pk__in=self.matching_pks(config)))
            else:
                found.update(queryset.filter(pk__in=[pk for pk, _ in ranked]))
            cached = [(pk, score) for pk, score in ranked if pk in found]
            self._visible_matches = cached
        return cached


class RankedSearchResultsMixin:
    """Mixed into a modelsearch results class."""

    # Set by the results class this is mixed into.
    query_compiler: Any

    def _ranked(self) -> bool:
        # Autocomplete compilers share this results class and keep
        # modelsearch's own query.
        compiler = self.query_compiler
        return isinstance(compiler, RankedSearchMixin) and compiler.uses_ranked_search()

    def _do_search(self):
        if not self._ranked():
            return super()._do_search()
        compiler = self.query_compiler
        config = compiler.get_config(self.backend)
        if not compiler.order_by_relevance:
            found = compiler.matches_in_queryset_order(config)
            results = list(found[self.start : self.stop])
            if self._score_field:
                for obj in results:
                    setattr(obj, self._score_field, None)
            return results
        matches = compiler.visible_matches(config)
        page = matches[self.start : self.stop]
        if not page:
            return []
        objects = compiler.queryset.in_bulk([pk for pk, _ in page])
        results = []
        for pk, score in page:
            obj = objects.get(pk)
            if obj is None:  # deleted since the ranking
                continue
            if self._score_field:
                setattr(obj, self._score_field, score)
            results.append(obj)
        return results

    def _do_count(self):
        if not self._ranked():
            return super()._do_count()
        compiler = self.query_compiler
        config = compiler.get_config(self.backend)
        if not compiler.order_by_relevance:
            total = compiler.matches_in_queryset_order(config).count()
            stop = total if self.stop is None else min(total, self.stop)
            return max(0, stop - self.start)
        matches = compiler.visible_matches(config)
        return len(matches[self.start : self.stop])
