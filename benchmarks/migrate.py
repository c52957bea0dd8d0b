"""``migrate`` for a scratch database, from a kept copy on SQLite (inside
Django, bench settings).

Every benchmark and resilience command starts from an empty scratch
database, and migrating one costs 13 to 20 s of CPU (Wagtail's migrations
rebuild their model states many times over), more than seeding 200
reviews. CI migrated three SQLite databases one after the other
(resilience's two SQLite scenarios, then the benchmark smoke); with the
copy, resilience's short form took 118 s of CPU instead of 141.

Django has no copy of a migrated database to start from, so this keeps
one: the first SQLite database migrated is copied to
``var/benchmarks/migrated-<key>.sqlite3``, and a later empty database starts
as a copy of it. The key is a hash of every migration file and of the
Django and SQLite versions, so a changed migration gets a copy of its own.
``migrate`` runs after the copy either way: a copy that lacks something is
brought up to date, and a current one costs a second.

PostgreSQL databases are migrated as before.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from .runtime import ROOT

#: Where the migrated copies are kept (ignored by git, removed by make clean);
#: ``BENCH_MIGRATED_COPIES`` names another folder.
KEPT = Path(os.environ.get("BENCH_MIGRATED_COPIES") or ROOT / "var" / "benchmarks")


def migrate() -> str:
    """Migrate the default database; on an empty SQLite one, start from the
    kept copy when there is one, and keep one when there is not. Says which
    ("from a kept copy", "kept for the next", or "" on PostgreSQL or a
    database that was not empty)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite" or connection.introspection.table_names():
        call_command("migrate", verbosity=0, interactive=False)
        return ""
    kept = kept_copy()
    if kept.exists():
        connection.ensure_connection()
        with sqlite3.connect(kept) as source:
            source.backup(connection.connection)
        call_command("migrate", verbosity=0, interactive=False)
        return "from a kept copy"
    call_command("migrate", verbosity=0, interactive=False)
    keep(connection)
    return "kept for the next"


def kept_copy() -> Path:
    """Where the migrated SQLite database of the current migrations is kept
    (it may not be there yet)."""
    return KEPT / f"migrated-{migrations_key()}.sqlite3"


def keep(connection) -> None:
    """Keep a copy of ``connection``'s SQLite database, just migrated, as
    :func:`kept_copy` for the next database to start from. The test suite
    keeps its migrated test database this way too."""
    kept = kept_copy()
    KEPT.mkdir(parents=True, exist_ok=True)
    # Written beside its name, then renamed: a process that copies at the
    # same moment reads the whole file or none.
    handle, partial = tempfile.mkstemp(dir=KEPT, suffix=".partial")
    os.close(handle)
    os.unlink(partial)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [partial])
    os.replace(partial, kept)


def migrations_key() -> str:
    """A hash of every migration file the project loads, and of Django's and
    SQLite's versions."""
    import django
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256(f"{django.get_version()} {sqlite3.sqlite_version}".encode())
    for key in sorted(loader.disk_migrations):
        module = sys.modules[type(loader.disk_migrations[key]).__module__]
        digest.update(repr(key).encode())
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]
