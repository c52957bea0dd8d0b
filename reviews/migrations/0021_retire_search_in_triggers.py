"""A trigger for the search index: every search depends on what it holds.

A page's save queues its search index update; with the database task
backend (docs/deploy.md, Background tasks) ``manage.py db_worker``, another
process, writes the index after the page's commit, and ``manage.py
update_index`` or a script may write it at any time. A search answered
between the page's commit and the index's write was kept under the
versions of that commit, and the write retired nothing: the cached search
kept the old matches (a review published since missing, a word taken out
still finding it) until some other change. This trigger retires
``search`` (``reviews.cache_tags.SEARCH``: every answer to a search
depends on it) on any insert, update or deletion of an index entry, in the
writing transaction (on PostgreSQL at its commit, as 0016's), and queues
it for the edge (0017); a ``TRUNCATE`` retires it at once.

``search`` alone, not ``all`` with it as the other triggers do. The
index's writers hold index rows for long (``update_index`` rebuilds in one
transaction), and a page's deletion, or a publish that indexes in its own
transaction (the immediate task backend), takes ``all`` first and the
page's index rows after: with ``all`` here, each waited for the other
(PostgreSQL chose one to fail). Nothing takes ``search`` before another
row, so one row alone cannot close such a circle; and no build needs
``all`` to notice an index write, since every search reads ``search``
before it reads the index. Values kept under the content version
(``all``) do not depend on the index, and are left alone.

On SQLite, while a purger runs, every index row written queues ``search``
for the edge (PostgreSQL retires and queues once per statement): an
``update_index`` of 20,000 entries queues tens of thousands of rows, which
``purge_edge`` sends as one purge per thousand.
"""

from importlib import import_module

from django.db import migrations

retire_0016 = import_module("reviews.migrations.0016_retire_tags_in_triggers")
listed_0020 = import_module(
    "reviews.migrations.0020_retire_series_and_rounds_in_triggers"
)

TABLE = "wagtailsearch_indexentry"
RETIRED = ("search",)


def _sqlite_triggers() -> dict[str, str]:
    """0020's, for the index's table: retire and queue for the edge."""
    return listed_0020._sqlite_triggers({TABLE: RETIRED})


def _postgres_triggers() -> dict[str, str]:
    """0020's deferred row trigger, for the index's table."""
    return listed_0020._postgres_triggers({TABLE: RETIRED})


def _truncated() -> dict[str, str]:
    """At once, as 0016's: no constraint trigger watches a ``TRUNCATE``."""
    return {
        f"reviews_truncated_{TABLE}": f"AFTER TRUNCATE ON {TABLE} FOR EACH STATEMENT"
        f" EXECUTE FUNCTION reviews_retire_listed({', '.join(map(repr, RETIRED))})"
    }


def _statements(vendor: str, *, forwards: bool) -> list[str]:
    if vendor == "sqlite":
        triggers = _sqlite_triggers()
        if forwards:
            return list(triggers.values())
        return [f"DROP TRIGGER IF EXISTS {name}" for name in triggers]
    if vendor == "postgresql":
        if forwards:
            return retire_0016._create_postgres_triggers(
                _postgres_triggers(), _truncated()
            )
        return retire_0016._drop_postgres_triggers(_postgres_triggers(), _truncated())
    return []


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0020_retire_series_and_rounds_in_triggers"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [retire_0016.run_statements(_statements)]
