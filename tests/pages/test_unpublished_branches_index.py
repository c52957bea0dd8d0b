"""The lookup of pages below an unpublished one (run after every change, in
every process) is answered from an index of the unpublished pages, not by
reading the whole page table."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection
from wagtail.models import Page

INDEX = import_module("reviews.migrations.0015_unpublished_branches_index").INDEX

pytestmark = pytest.mark.django_db


def _lookup_sql() -> tuple[str, tuple]:
    queryset = Page.objects.filter(live=False, numchild__gt=0).values_list(
        "path", flat=True
    )
    sql, params = queryset.query.sql_with_params()
    return sql, params


def test_the_page_table_has_the_index():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, "wagtailcore_page"
        )
    assert INDEX in constraints
    assert constraints[INDEX]["columns"] == ["path"]


def test_the_lookup_can_use_it():
    """The query's condition implies the index's (``NOT live``), so the
    database may answer from it: SQLite says so in its plan; PostgreSQL is
    told to avoid reading the table where it can, which it cannot for a
    condition the index does not cover."""
    sql, params = _lookup_sql()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert INDEX in plan, plan
