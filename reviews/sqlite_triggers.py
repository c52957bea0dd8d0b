"""Keeping the cache-tag triggers on SQLite after a table is rebuilt.

SQLite drops a table's triggers with the table, and Django alters most
columns on SQLite by rebuilding the table (a new table, the rows copied,
the old one dropped, the new one renamed). A later migration that alters a
table the triggers watch (the plugin's own, or Wagtail's
``wagtailcore_page`` in an upgrade) would silently take its triggers away,
and writes that send no signal would again leave cached copies as they
were. PostgreSQL alters tables in place and keeps them.

After every ``migrate`` (``post_migrate``), :func:`restore` creates again
any trigger the plugin's migrations (0016-0023) define that the database
no longer has, with the same SQL (the migrations' own functions, so the two
cannot differ). It acts only on a database whose plugin migrations are
all applied: one migrated back to an earlier state has fewer triggers on
purpose. A later migration that adds, changes or drops a trigger must be
added to :data:`MIGRATIONS` and :func:`defined`, or this would create the
earlier one again.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps.registry import Apps
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

#: The migrations that write SQLite triggers, by name (imported by name:
#: their modules' names start with a digit).
MIGRATIONS = (
    "0016_retire_tags_in_triggers",
    "0017_edge_purge_queue",
    "0018_retire_content_in_triggers",
    "0019_retire_member_names_in_triggers",
    "0020_retire_series_and_rounds_in_triggers",
    "0021_retire_search_in_triggers",
    "0022_retire_ratings_in_triggers",
    "0023_retire_structure_on_page_type",
)


def _migration(name: str) -> Any:
    return import_module(f"reviews.migrations.{name}")


def _if_missing(statement: str) -> str:
    return statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)


def defined(apps: Apps) -> dict[str, str]:
    """Every SQLite trigger the migrations leave, by name: its ``CREATE
    TRIGGER IF NOT EXISTS`` statement. ``apps``: the models as migrated."""
    m16, m17, m18, m19, m20, m21, m22, m23 = (_migration(name) for name in MIGRATIONS)
    statements = {
        name: f"CREATE TRIGGER {name} {event} BEGIN {body} END"
        # 0017 rewrote 0016's with the edge queue added.
        for name, (event, body) in m16._sqlite_triggers(
            m17._sqlite_retire_and_queue
        ).items()
    }
    statements.update(
        {
            name: f"CREATE TRIGGER {name} {event} BEGIN"
            f" {m17._sqlite_retire_and_queue(names)} END"
            for name, (event, names) in m18._sqlite_triggers().items()
        }
    )
    found = m19._user_table(apps)
    if found is not None:
        statements[m19.TRIGGER] = m19._sqlite_statements(*found)[0]
    statements.update(m20._sqlite_triggers())
    statements.update(m21._sqlite_triggers())
    # One trigger each, written out whole.
    statements.update(
        {m22.NAME: m22._sqlite_trigger(), m23.NAME: m23._sqlite_trigger()}
    )
    return {name: _if_missing(sql) for name, sql in statements.items()}


def _all_applied(alias: str) -> bool:
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    return all(("reviews", name) in applied for name in MIGRATIONS)


def missing(alias: str, apps: Apps) -> list[str]:
    """The triggers ``alias`` should have and has not; none to ask of a
    database that is not SQLite or not migrated to the end."""
    connection = connections[alias]
    if connection.vendor != "sqlite" or not _all_applied(alias):
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    return sorted(set(defined(apps)) - present)


def restore(using: str = "default", apps: Apps | None = None, **kwargs: Any) -> None:
    """Receiver of ``post_migrate``: create the missing triggers again."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    gone = missing(using, apps)
    if not gone:
        return
    statements = defined(apps)
    with connections[using].cursor() as cursor:
        for name in gone:
            cursor.execute(statements[name])
