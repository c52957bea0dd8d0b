"""Triggers for a member renamed without signals.

A member's name shows beside their reviews, their comments and their
answers to meetings (``reviews.members.display_name``: the user's first
and last name). A script that renames or anonymises members with
``update()`` or SQL (a request to be forgotten, say) sends no signal, and
every cached response went on showing the old name. This trigger retires,
in the writing transaction (on PostgreSQL at its commit, as 0016's), what
the app retires when a member's shown name changes
(``reviews.cache_tags.retired_by_member``): their reviews and those
reviews' books, the discussions they commented on or answered, and the
listings that show names. A sign-in (``last_login``) or a password change
fires nothing.

The user model is the project's (``AUTH_USER_MODEL``): the trigger is
written for its table and its ``first_name`` and ``last_name`` columns as
they are when this migration runs. A user model without those fields
names members some other way, and gets no trigger.
"""

# The SQL below is written from constants and the user model's own column
# names, never from input.
# ruff: noqa: S608

from importlib import import_module

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import migrations

retire_0016 = import_module("reviews.migrations.0016_retire_tags_in_triggers")
queue_0017 = import_module("reviews.migrations.0017_edge_purge_queue")

#: What a member renamed retires besides their own pages' tags.
MEMBER = ("all", "comments", "discussions", "pages", "reviews", "rounds")
NAME_FIELDS = ("first_name", "last_name")
TRIGGER = "reviews_retire_on_member_renamed"


def _user_table(apps) -> tuple[str, str, tuple[str, ...]] | None:
    """The user model's table, primary key column and name columns; None
    without name columns."""
    model = apps.get_model(settings.AUTH_USER_MODEL)
    try:
        columns = tuple(model._meta.get_field(name).column for name in NAME_FIELDS)
    except FieldDoesNotExist:
        return None
    return model._meta.db_table, model._meta.pk.column, columns


def _discussions(member: str) -> str:
    """The discussions ``member`` (an SQL expression: their id) commented
    on or answered."""
    return (
        f"SELECT page_id FROM reviews_discussioncomment WHERE author_id = {member}"
        f" UNION SELECT page_id FROM reviews_meetingrsvp WHERE member_id = {member}"
    )


def _sqlite_names(member: str) -> str:
    discussions = _discussions(member)
    return (
        retire_0016._names(MEMBER)
        + " UNION SELECT 'page-' || page_ptr_id FROM reviews_reviewpage"
        f" WHERE reviewer_id = {member}"
        " UNION SELECT 'book-' || book_id FROM reviews_reviewpage"
        f" WHERE reviewer_id = {member} AND book_id IS NOT NULL"
        + "".join(
            f" UNION SELECT '{prefix}-' || page_id FROM ({discussions})"
            for prefix in ("page", "comments", "rsvps")
        )
    )


def _renamed(columns: tuple[str, ...], differ: str) -> str:
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)


def _sqlite_statements(table: str, pk: str, columns: tuple[str, ...]) -> list[str]:
    return [
        f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF {', '.join(columns)} ON {table}"
        f" WHEN {_renamed(columns, 'IS NOT')} BEGIN"
        f" {queue_0017._sqlite_retire_and_queue(_sqlite_names(f'NEW.{pk}'))} END"
    ]


def _postgres_function(pk: str) -> str:
    member = f"NEW.{pk}"
    return f"""
CREATE OR REPLACE FUNCTION reviews_retire_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reviews_retire_once(
    {retire_0016._array(MEMBER)},
    ARRAY(
      SELECT 'page-' || page_ptr_id FROM reviews_reviewpage WHERE reviewer_id = {member}
      UNION SELECT 'book-' || book_id FROM reviews_reviewpage
        WHERE reviewer_id = {member} AND book_id IS NOT NULL
      UNION SELECT unnest(ARRAY['page-' || page_id, 'comments-' || page_id,
                                'rsvps-' || page_id])
        FROM ({_discussions(member)}) AS discussions
    )
  );
  RETURN NULL;
END
$$
"""


def _postgres_statements(table: str, pk: str, columns: tuple[str, ...]) -> list[str]:
    when = f"WHEN ({_renamed(columns, 'IS DISTINCT FROM')})"
    return [
        _postgres_function(pk),
        f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER UPDATE ON {table}"
        f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when}"
        " EXECUTE FUNCTION reviews_retire_member()",
        # Immediate: the transaction reads versions of its own until it
        # commits (0016's reviews_mark_pending).
        f"CREATE TRIGGER {TRIGGER.replace('_retire_', '_pending_')}"
        f" AFTER UPDATE ON {table} FOR EACH ROW {when}"
        " EXECUTE FUNCTION reviews_mark_pending()",
    ]


def _postgres_drops(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {TRIGGER.replace('_retire_', '_pending_')} ON {table}",
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}",
        "DROP FUNCTION IF EXISTS reviews_retire_member()",
    ]


def create_trigger(apps, schema_editor) -> None:
    found = _user_table(apps)
    vendor = schema_editor.connection.vendor
    if found is None:
        return
    table, pk, columns = found
    if vendor == "sqlite":
        statements = _sqlite_statements(table, pk, columns)
    elif vendor == "postgresql":
        statements = _postgres_statements(table, pk, columns)
    else:
        statements = []
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor) -> None:
    found = _user_table(apps)
    vendor = schema_editor.connection.vendor
    if found is None:
        return
    table = found[0]
    if vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    elif vendor == "postgresql":
        statements = _postgres_drops(table)
    else:
        statements = []
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("reviews", "0018_retire_content_in_triggers"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
