"""Prepared statements on PostgreSQL for the few queries every request of a
kind makes with only its parameters changing.

Django's PostgreSQL cursors bind parameters in the client, and psycopg never
prepares such a query, so the server parses and plans it on every request.
For the read every cached answer makes (its tags' versions,
reviews.content_version) planning is about a third of the round trip; for a
cold review detail (reviews.api.compiled: five tables) the plan costs the
server more than running it (docs/performance.md). A cursor on the same
connection that binds on the server lets psycopg prepare the query once the
connection has run it ``prepare_threshold`` times: the database's
``OPTIONS``, which Django leaves ``None`` (never), as a pooler that drops
prepared statements needs; then these are Django's own cursors.

Written here rather than turning on Django's ``server_side_binding``, which
would bind every query of the site on the server, and PostgreSQL refuses
some queries bound that way that client-side binding takes. These queries
are fixed and the PostgreSQL suite runs them.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def prepares(connection: BaseDatabaseWrapper) -> bool:
    """Would :func:`prepared_cursor` give a cursor psycopg may prepare?"""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return getattr(connection.connection, "prepare_threshold", None) is not None


def prepared_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of ``connection`` as Django makes one (the same checks, the
    same errors, the same query log), binding on the server where psycopg
    may prepare what it runs (:func:`prepares`), and Django's own
    otherwise."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    if not prepares(connection):
        return connection.cursor()
    # Only importable where psycopg is, which a PostgreSQL connection means.
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.validate_thread_sharing()
    # django-stubs declare neither psycopg's cursor signature nor that
    # make_cursor() takes the driver's cursor.
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
    if connection.queries_logged:
        return _ServerBoundDebugCursor(cursor, connection)
    return _PreparedCursor(cursor, connection)


#: What PostgreSQL answers when it no longer has a statement psycopg
#: prepared (a ``DEALLOCATE ALL`` or ``DISCARD ALL`` psycopg did not see:
#: it looks only at a statement text new to it), and when a prepared
#: statement's result columns changed under it ("cached plan must not
#: change result type", after a migration altered a column it reads while
#: the app ran). Any other "feature not supported" fails again unprepared.
LOST_STATEMENT = {"26000", "0A000"}


class _PreparedCursor(CursorWrapper):
    """Django's cursor wrapper, for a query psycopg may have prepared.

    When the server no longer runs what psycopg prepared, psycopg would send
    the same statement on every later request of the connection, each
    failing alike. So the connection is replaced at the end of the request,
    and outside a transaction (which the failure has ended) the query is
    run once more unprepared, so this request is answered too.
    """

    def _execute(self, sql: Any, params: Any, *wrapper_args: Any) -> Any:
        try:
            # Django's own step, which its stubs do not declare.
            return super()._execute(sql, params, *wrapper_args)  # type: ignore[misc]
        except DatabaseError as error:
            if getattr(error.__cause__, "sqlstate", None) not in LOST_STATEMENT:
                raise
            self.db.close_at = time.monotonic()
            if self.db.in_atomic_block:
                raise
            with self.db.wrap_database_errors:
                return self.cursor.execute(sql, params, prepare=False)


class _ServerBoundDebugCursor(_PreparedCursor, CursorDebugWrapper):
    """Django's query log for a query bound on the server: the SQL as Django
    writes it for such a cursor, since psycopg keeps no text for a prepared
    execution (Django would log ``None``)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


class PreparingConnection:
    """``connection`` for a compiler that should run its SQL on a
    :func:`prepared_cursor`: everything else is the connection's own."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self._connection = connection

    def cursor(self) -> CursorWrapper:
        return prepared_cursor(self._connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)
