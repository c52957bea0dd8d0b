"""Triggers for series entries and nomination rounds changed without signals.

A book's place in a series (shown with every book in the API) and the
nomination rounds and their nominations (the home page and the discussion
index list them) were changed by ``update()`` or SQL without anything
being retired: every cached answer went on showing the old positions and
titles. These triggers retire, in the writing transaction (on PostgreSQL
at its commit, as 0016's), what the app retires for the same change
(``reviews.cache_tags.retired_by_series_entry`` and ``retired_by_round``),
on an insert, an update or a deletion, and queue it for the edge (0017).

Votes and answers to meetings are left to the app: it retires them as
changes that may show a moment late (reviews/response_cache/builds.py),
which a trigger would undo on every vote and answer.
"""

from importlib import import_module

from django.db import migrations

retire_0016 = import_module("reviews.migrations.0016_retire_tags_in_triggers")
queue_0017 = import_module("reviews.migrations.0017_edge_purge_queue")

#: Each table and what a change of one of its rows retires.
RETIRED = {
    "reviews_seriesentry": ("all", "books", "series"),
    "reviews_nominationround": ("all", "rounds"),
    "reviews_nomination": ("all", "rounds"),
}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def _sqlite_triggers(retired: dict[str, tuple[str, ...]] = RETIRED) -> dict[str, str]:
    """Trigger name: its statement, for each table in ``retired`` (0021
    writes its own with it)."""
    return {
        f"reviews_retire_on_{table}_{op.lower()}": (
            f"CREATE TRIGGER reviews_retire_on_{table}_{op.lower()}"
            f" AFTER {op} ON {table} BEGIN"
            f" {queue_0017._sqlite_retire_and_queue(retire_0016._names(tags))} END"
        )
        for table, tags in retired.items()
        for op in OPERATIONS
    }


# PostgreSQL: deferred constraint triggers as 0016's, the tags passed as the
# trigger's arguments to one function.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION reviews_retire_listed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reviews_retire_once(TG_ARGV::text[], '{}');
  RETURN NULL;
END
$$
"""


def _postgres_triggers(retired: dict[str, tuple[str, ...]] = RETIRED) -> dict[str, str]:
    """Trigger name: what follows ``CREATE CONSTRAINT TRIGGER <name>``."""
    return {
        f"reviews_retire_on_{table}": f"AFTER INSERT OR UPDATE OR DELETE ON {table}"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION"
        f" reviews_retire_listed({', '.join(repr(tag) for tag in sorted(tags))})"
        for table, tags in retired.items()
    }


def _postgres_statements() -> list[str]:
    return [POSTGRES_FUNCTION] + retire_0016._create_postgres_triggers(
        _postgres_triggers(), _truncated()
    )


def _postgres_drops() -> list[str]:
    return retire_0016._drop_postgres_triggers(_postgres_triggers(), _truncated()) + [
        "DROP FUNCTION IF EXISTS reviews_retire_listed()"
    ]


def _truncated() -> dict[str, str]:
    return retire_0016._truncate_triggers(tuple(RETIRED))


def _statements(vendor: str, *, forwards: bool) -> list[str]:
    if vendor == "sqlite":
        triggers = _sqlite_triggers()
        if forwards:
            return list(triggers.values())
        return [f"DROP TRIGGER IF EXISTS {name}" for name in triggers]
    if vendor == "postgresql":
        return _postgres_statements() if forwards else _postgres_drops()
    return []


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0019_retire_member_names_in_triggers"),
    ]

    operations = [retire_0016.run_statements(_statements)]
