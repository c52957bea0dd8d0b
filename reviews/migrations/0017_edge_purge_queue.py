"""A queue of the tags the database's triggers retire, for the edge caches.

Migration 0016's triggers retire the tags of writes no Django signal
reports (a ``bulk_create``, an ``update()``, plain SQL), so every app
process honours them at once. An edge cache in front (Varnish) is purged
by the app's signal handlers, which never hear of such a write: it kept
what it had stored for up to its ``max-age`` plus grace. Now the triggers
also queue each tag they retire in ``reviews_edgepurge``, in the same
transaction (on PostgreSQL at its commit, as they retire), and
``manage.py purge_edge`` purges the queued tags from the edge and deletes
them (reviews/frontend_cache/queue.py).

The triggers queue while a purger has said, in the last hour, that it runs
(``reviews_edgepurger``; it says so every few seconds, by the database's
clock): a site without an edge, or without a purger, keeps nothing in the
queue, and one whose purger died stops filling it within the hour. The
window is that long because a transaction reads the purger's word as of
its own start (SQLite, whose open write transaction also keeps the purger
from saying it again, and PostgreSQL's REPEATABLE READ): a minute would
lose the purge of any write in a transaction longer than that.

The SQLite triggers are created again with the queueing added to each
body (one statement more); on PostgreSQL every trigger retires through
``reviews_retire_tags``, which gains the same statement.
"""

from importlib import import_module

from django.db import migrations, models

triggers = import_module("reviews.migrations.0016_retire_tags_in_triggers")

#: How long a purger's word that it runs holds (``purge_edge`` says it again
#: every few seconds; reviews.frontend_cache.queue.BEAT_SECONDS).
PURGER_SEEN_WITHIN_SECONDS = 3600


def _sqlite_queue(names: str) -> str:
    return (
        "INSERT INTO reviews_edgepurge (tag, queued_at) "
        "SELECT name, strftime('%Y-%m-%d %H:%M:%f', 'now') FROM ({names}) "
        "WHERE EXISTS (SELECT 1 FROM reviews_edgepurger "
        "WHERE seen_at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{seconds} seconds'));"
    ).format(names=names, seconds=PURGER_SEEN_WITHIN_SECONDS)


def _sqlite_retire_and_queue(names: str) -> str:
    return triggers._sqlite_retire_tags(names) + " " + _sqlite_queue(names)


def _sqlite_statements(retire) -> list[str]:
    created = triggers._sqlite_triggers(retire)
    return [f"DROP TRIGGER IF EXISTS {name}" for name in created] + [
        f"CREATE TRIGGER {name} {event} BEGIN {body} END"
        for name, (event, body) in created.items()
    ]


#: 0016's ``reviews_retire_tags``, and the queueing added to it.
POSTGRES_RETIRE_TAGS = triggers.POSTGRES_FUNCTIONS[0]
_POSTGRES_QUEUE = f"""
  INSERT INTO reviews_edgepurge (tag, queued_at)
  SELECT DISTINCT name, clock_timestamp() FROM unnest(names) AS name
  WHERE EXISTS (
    SELECT 1 FROM reviews_edgepurger
    WHERE seen_at > clock_timestamp() - interval '{PURGER_SEEN_WITHIN_SECONDS} seconds'
  );
"""
_RETIRED = "changed_at = EXCLUDED.changed_at\n$$"
assert POSTGRES_RETIRE_TAGS.count(_RETIRED) == 1
POSTGRES_RETIRE_AND_QUEUE = POSTGRES_RETIRE_TAGS.replace(
    _RETIRED, _RETIRED.replace("\n$$", ";" + _POSTGRES_QUEUE + "$$")
)


def _statements(vendor: str, *, forwards: bool) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements(
            _sqlite_retire_and_queue if forwards else triggers._sqlite_retire_tags
        )
    if vendor == "postgresql":
        return [POSTGRES_RETIRE_AND_QUEUE if forwards else POSTGRES_RETIRE_TAGS]
    return []


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0016_retire_tags_in_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="EdgePurge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("tag", models.CharField(max_length=100)),
                ("queued_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "edge purge",
            },
        ),
        migrations.CreateModel(
            name="EdgePurger",
            fields=[
                (
                    "name",
                    models.CharField(max_length=200, primary_key=True, serialize=False),
                ),
                ("seen_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "edge purger",
            },
        ),
        triggers.run_statements(_statements),
    ]
