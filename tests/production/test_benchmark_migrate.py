"""A benchmark's scratch SQLite database starts as a copy of a migrated one
(``benchmarks.migrate``), and ends exactly as ``migrate`` leaves it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from django.db.migrations.loader import MigrationLoader

from benchmarks.migrate import migrations_key
from benchmarks.runtime import ROOT, base_env

MIGRATE = (
    "import django; django.setup(); "
    "from benchmarks.migrate import migrate; print(repr(migrate()))"
)


def _migrate(database: Path, kept: Path) -> str:
    """``benchmarks.migrate.migrate()`` in a process of its own, as the
    benchmark's commands run it: what it says it did."""
    env = base_env(f"sqlite:///{database}", BENCH_MIGRATED_COPIES=str(kept))
    done = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", MIGRATE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _state(database: Path) -> tuple[list, list]:
    """The migrations recorded and the schema, as SQLite holds them."""
    with sqlite3.connect(database) as db:
        applied = db.execute(
            "SELECT app, name FROM django_migrations ORDER BY app, name"
        )
        schema = db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "ORDER BY type, name"
        )
        return applied.fetchall(), schema.fetchall()


def test_the_first_migrated_database_is_kept_and_the_next_starts_from_it(tmp_path):
    kept = tmp_path / "kept"
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"

    assert _migrate(first, kept) == "'kept for the next'"
    assert [path.name for path in kept.iterdir()] == [
        f"migrated-{migrations_key()}.sqlite3"
    ]
    assert _migrate(second, kept) == "'from a kept copy'"

    assert _state(second) == _state(first)
    applied, _ = _state(second)
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    assert set(leaves) <= set(applied)
    # A database that holds tables is migrated where it is, never replaced.
    with sqlite3.connect(second) as db:
        db.execute("INSERT INTO auth_group (name) VALUES ('kept by the test')")
    assert _migrate(second, kept) == "''"
    with sqlite3.connect(second) as db:
        found = db.execute("SELECT 1 FROM auth_group WHERE name = 'kept by the test'")
        assert found.fetchone() == (1,)


def test_the_key_changes_with_any_migration_file(monkeypatch):
    """Editing a migration (here: reading it back with one byte more) gives
    the set of migrations another key, so its copy is never taken for it."""
    before = migrations_key()
    original = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        data = original(path)
        if path.name == "0001_initial.py" and path.parent.parent.name == "reviews":
            return data + b"\n"
        return data

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert migrations_key() != before


def test_the_suite_starts_its_sqlite_test_database_from_the_kept_copy(
    tmp_path, monkeypatch
):
    """The test suite's first worker copies the kept migrated database
    instead of migrating (``tests.fixtures.database._from_a_kept_copy``),
    on SQLite only, and migrates when none is kept."""
    import benchmarks.migrate
    from benchmarks.migrate import kept_copy
    from tests.fixtures.database import _from_a_kept_copy

    monkeypatch.setattr(benchmarks.migrate, "KEPT", tmp_path / "kept")
    sqlite_connection = SimpleNamespace(vendor="sqlite")
    copy = tmp_path / "default.sqlite"

    assert _from_a_kept_copy(sqlite_connection, copy) is False
    assert not copy.exists()

    kept = kept_copy()
    kept.parent.mkdir()
    with sqlite3.connect(kept) as db:
        db.execute("CREATE TABLE django_migrations (app TEXT, name TEXT)")
        db.execute("INSERT INTO django_migrations VALUES ('reviews', '0001_initial')")
    db.close()

    assert _from_a_kept_copy(SimpleNamespace(vendor="postgresql"), copy) is False
    assert not copy.exists()
    assert _from_a_kept_copy(sqlite_connection, copy) is True
    assert copy.read_bytes() == kept.read_bytes()
