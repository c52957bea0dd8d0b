"""The suite passes in any order: after a test that really commits, the
database holds what the migrations created, and new rows get new ids."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connections

from tests.conftest import MIGRATED_ROWS, restore_migrated_rows
from tests.factories import review_index


@pytest.mark.django_db(transaction=True)
def test_rows_put_back_after_a_committing_test_leave_new_ids_free():
    """The migrated rows go back with their own ids; the next row of each
    table must not be given one of them (on PostgreSQL the flush restarts
    every sequence at 1, so the sequences are set past the rows again)."""
    Group.objects.create(name="Committed")  # a committing test's own row

    restore_migrated_rows()

    assert not Group.objects.filter(name="Committed").exists()
    Group.objects.create(name="After")
    review_index()  # a page under the site's root


@pytest.mark.django_db(transaction=True)
def test_the_rows_put_back_are_the_migrated_ones_with_their_ids_and_links():
    """Every migrated row goes back as it was, its many-to-many links (a
    group's permissions) included, and nothing else stays."""
    editors = Group.objects.create(name="Committed")
    editors.permissions.add(Permission.objects.first())

    restore_migrated_rows()

    for alias, rows in MIGRATED_ROWS.items():
        restored = connections[alias].creation.serialize_db_to_string()
        assert _comparable(restored) == _comparable(rows), alias


def _comparable(serialized: str) -> list[dict]:
    """The rows, with each many-to-many list in id order (the serializer
    lists links in whatever order the database returns them)."""
    rows = json.loads(serialized)
    for row in rows:
        for name, value in row["fields"].items():
            if isinstance(value, list) and all(isinstance(v, int) for v in value):
                row["fields"][name] = sorted(value)
    return rows


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_committing_test_empties_every_table():
    """Django's teardown flush (on PostgreSQL a ``DELETE`` of each table,
    ``tests.fixtures.database.flush_by_delete``) leaves no row behind, a
    page and its revision, links and log entries included."""
    from django.core.management import call_command
    from django.db import connection

    from tests.factories import make_review

    make_review()

    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)

    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        left = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            left[table] = cursor.fetchone()[0]
    assert {table: count for table, count in left.items() if count} == {}
    restore_migrated_rows()
