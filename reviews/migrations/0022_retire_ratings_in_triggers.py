"""A trigger for a review's rating: the book list's average ratings read it.

The book list (``/api/v3/books/``) shows each book's count of public reviews
and their average rating. It was kept under every review's change, so each
publish of any review rebuilt it. It now depends on which reviews are
public (``public-reviews``) and on ``ratings``
(``reviews.cache_tags.RATINGS``), which the app retires when a publish
changes a review's rating. This trigger retires ``ratings`` (with ``all``,
as every change does) whenever a row of ``reviews_reviewpage`` gets
another rating, whoever writes it (``update()``, SQL, another process), in
the writing transaction (on PostgreSQL at its commit, as 0016's), and
queues it for the edge (0017). A ``TRUNCATE`` of the table already retires
``public-reviews`` at once (0016).
"""

from importlib import import_module
from typing import NamedTuple

from django.db import migrations

retire_0016 = import_module("reviews.migrations.0016_retire_tags_in_triggers")
queue_0017 = import_module("reviews.migrations.0017_edge_purge_queue")

TABLE = "reviews_reviewpage"
NAME = "reviews_retire_on_rating_changed"
RETIRED = ("all", "ratings")


class ColumnTrigger(NamedTuple):
    """A trigger that retires ``retired`` whenever a row's ``column`` gets
    another value: on SQLite a row trigger, on PostgreSQL a deferred one
    calling 0020's function with the tags. Migration 0023 makes one too."""

    name: str
    table: str
    column: str
    retired: tuple[str, ...]

    def sqlite(self) -> str:
        return (
            f"CREATE TRIGGER {self.name} AFTER UPDATE OF {self.column} ON {self.table}"
            f" WHEN OLD.{self.column} IS NOT NEW.{self.column} BEGIN"
            f" {queue_0017._sqlite_retire_and_queue(retire_0016._names(self.retired))}"
            " END"
        )

    def postgres(self) -> dict[str, str]:
        return {
            self.name: f"AFTER UPDATE ON {self.table} DEFERRABLE INITIALLY DEFERRED"
            f" FOR EACH ROW WHEN (OLD.{self.column} IS DISTINCT FROM"
            f" NEW.{self.column}) EXECUTE FUNCTION"
            f" reviews_retire_listed({', '.join(map(repr, self.retired))})"
        }

    def statements(self, vendor: str, *, forwards: bool) -> list[str]:
        if vendor == "sqlite":
            if forwards:
                return [self.sqlite()]
            return [f"DROP TRIGGER IF EXISTS {self.name}"]
        if vendor == "postgresql":
            if forwards:
                return retire_0016._create_postgres_triggers(self.postgres(), {})
            return retire_0016._drop_postgres_triggers(self.postgres(), {})
        return []


TRIGGER = ColumnTrigger(NAME, TABLE, "rating", RETIRED)


def _sqlite_trigger() -> str:
    return TRIGGER.sqlite()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0021_retire_search_in_triggers"),
    ]

    operations = [retire_0016.run_statements(TRIGGER.statements)]
