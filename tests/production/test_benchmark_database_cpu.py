"""The profile's database CPU column: the PostgreSQL backend's own time."""

from __future__ import annotations

import pytest
from django.db import connection

from benchmarks.profile import _server_cpu_ns

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite
def test_sqlite_has_no_server_to_read():
    assert _server_cpu_ns(connection) is None


@pytest.mark.postgresql
def test_the_backend_time_grows_with_the_work_it_does():
    before = _server_cpu_ns(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM generate_series(1, 300000)")
    after = _server_cpu_ns(connection)
    assert before is not None and after is not None
    assert after - before > 1_000_000  # counting 300,000 rows takes over 1 ms
