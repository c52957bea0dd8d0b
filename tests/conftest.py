import gc
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.fixtures.database import (
    SHARED_MIGRATIONS,
    drop_migrated_copy,
    flush_by_delete,
    migrate_once_per_run,
)
from tests.fixtures.migrated_rows import MigratedRows
from tests.ports import claim_server_ranges

pytest_plugins = [
    "tests.cpu_by_file",
    "tests.fixtures.demo",
    "tests.fixtures.mail",
    "tests.fixtures.people",
    "tests.fixtures.redis",
]

#: The rows the migrations created (root page, default site, root collection,
#: content types, permissions, Wagtail's groups) as Django serializes them for
#: ``serialized_rollback``, by database alias.
MIGRATED_ROWS: dict[str, str] = {}
#: The test database each alias named when its rows were kept: rows go back
#: only into that one, never into a database the connection names later.
TEST_DATABASES: dict[str, object] = {}
#: The same rows, read once, as :func:`restore_migrated_rows` inserts them.
_PREPARED: dict[str, MigratedRows] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--transactional-first",
        action="store_true",
        help="Run the tests that really commit (transactional) before the others, "
        "the opposite of pytest-django's order: every test must pass in any order.",
    )
    parser.addoption(
        "--deep",
        action="store_true",
        help="Also run the tests marked `deep` (`make test-deep`; CI runs them): "
        "long searches for a failure, such as the API fuzz's coverage phase.",
    )
    parser.addoption(
        "--only-database-tests",
        action="store_true",
        help="Leave out the tests that cannot reach the database (CI's second "
        "suite, on PostgreSQL: they ran on SQLite already, and do the same on both).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: a file that keeps one worker busy for a minute or more (servers "
        "in other processes, content built once); `make test` hands it out first",
    )
    config.addinivalue_line(
        "markers",
        "deep: a long search for a failure (the API fuzz's coverage phase: "
        "about ninety requests an operation); left out unless --deep is given",
    )
    config.addinivalue_line(
        "markers",
        "postgresql: what it tests is PostgreSQL's own (row locks, deferred "
        "triggers); left out of a run on another database",
    )
    config.addinivalue_line(
        "markers",
        "sqlite: what it tests is SQLite's own (a table rebuilt to alter it); "
        "left out of a run on another database",
    )
    # Under pytest-xdist each worker starts its servers on its own ports.
    claim_server_ranges()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave what is loaded by now out of the cyclic garbage collector's
    full collections (see :func:`_frozen`)."""
    _frozen()


def _frozen() -> None:
    """Move every object alive now to the collector's permanent generation.

    Django, Wagtail, the test modules and the migrated test database's
    state make a heap of a few million objects that stay until the process
    ends; Python's full collections walked all of them again and again
    (``tests/spoilers/test_side_channels.py``: 4.9 s of its 19.1 s of CPU;
    ``tests/discussions``, ``tests/pages`` and ``tests/accounts``: 4.6 s of
    54.4 s). Objects made afterwards are collected as before.
    Collected first, so that no garbage is kept.
    """
    gc.collect()
    gc.freeze()


def pytest_itemcollected(item: pytest.Item) -> None:
    """Give every schemathesis test (one per API operation) its own node id.

    schemathesis 4 names each item ``test_x[GET /api/…]`` but, under pytest
    9.2, the node id it gets is the bare ``…::test_x`` for every operation.
    pytest-xdist tells items apart by node id, so ``make test`` ran one
    operation per fuzz test and dropped the rest without a word. The id is
    rebuilt from the item's name; ``tests/api/test_fuzz_collection.py``
    checks that each operation runs.
    """
    from _pytest.nodeid import NodeId

    node_id = item._id  # noqa: SLF001 (pytest keeps the id only here)
    name = item.name
    if node_id.params is None and name.endswith("]") and "[" in name:
        base, _, params = name[:-1].partition("[")
        if node_id.names and node_id.names[-1] == base:
            item._id = NodeId(path=node_id.path, names=node_id.names, params=params)  # noqa: SLF001


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    # trylast: after pytest-django has put the transactional tests last.
    from django.db import connection

    for vendor in ("postgresql", "sqlite"):
        if connection.vendor == vendor:
            continue
        elsewhere = [item for item in items if item.get_closest_marker(vendor)]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if item not in elsewhere]
    if not config.getoption("deep"):
        deep = [item for item in items if item.get_closest_marker("deep")]
        if deep:
            config.hook.pytest_deselected(items=deep)
            items[:] = [item for item in items if not item.get_closest_marker("deep")]
    if config.getoption("only_database_tests"):
        left_out = [item for item in items if not uses_database(item)]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if uses_database(item)]
    if config.getoption("transactional_first"):
        items.sort(key=lambda item: not _is_transactional(item))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=_file_rank(items))


def _file_rank(items: list[pytest.Item]) -> Callable[[pytest.Item], tuple[bool, int]]:
    """The order in which ``make test`` hands whole files to the workers.

    With ``--dist loadfile --no-loadscope-reorder`` pytest-xdist hands out
    files in the order the workers collected them. xdist's own order (most
    tests first) starts the files with few tests but a long set-up (app
    servers, Varnish, a club built once) last, so one worker ran one of them
    for a minute or more while the other had nothing left. Files marked
    ``slow`` go first, then the others by their number of tests; the sort is
    stable, so a file's tests keep their order.
    """
    counts = Counter(_file(item) for item in items)
    slow = {_file(item) for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> tuple[bool, int]:
        return _file(item) not in slow, -counts[_file(item)]

    return rank


def _file(item: pytest.Item) -> str:
    """The test file, as ``--dist loadfile`` groups by it."""
    return item.nodeid.split("::", 1)[0]


def uses_database(item: pytest.Item) -> bool:
    """Whether ``item`` may use the database, by pytest-django's own rule: a
    ``django_db`` mark, a fixture that asks for the database (``db``,
    ``transactional_db``, ``live_server`` and every fixture built on them), a
    Django ``TestCase``, or a fixture of ours that unblocks it by hand.

    pytest-django refuses the database to any other test, so such a test
    does the same whichever database the suite runs on: CI runs it once, on
    SQLite, and leaves it out of the PostgreSQL suite (``--only-database-tests``).
    """
    from django.test import TransactionTestCase

    fixtures = getattr(item, "fixturenames", ())
    test_case = getattr(item, "cls", None)
    return (
        item.get_closest_marker("django_db") is not None
        or "_django_db_helper" in fixtures
        or "live_server" in fixtures
        or (isinstance(test_case, type) and issubclass(test_case, TransactionTestCase))
        or any(_unblocks_database(name, item) for name in fixtures)
    )


def _unblocks_database(name: str, item: pytest.Item) -> bool:
    """Whether the project's fixture ``name`` takes ``django_db_blocker`` to
    open the database itself (content built once per module, a demo club)."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.get(name, ()) if info else ()
    return any(
        "django_db_blocker" in definition.argnames
        and not definition.func.__module__.startswith("pytest_django")
        for definition in definitions
    )


def _is_transactional(item: pytest.Item) -> bool:
    """Whether pytest-django runs ``item`` as a TransactionTestCase (flushing
    the database at its end), by pytest-django's own rule."""
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker and any(validate_django_db(marker)[:2]):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """Name the folder where the first worker leaves its migrated test
    database for the others (``migrate_once_per_run``)."""
    config = node.config
    if not hasattr(config, "_migrated_database"):
        config._migrated_database = tempfile.mkdtemp(prefix="bookclub-migrated-")
    node.workerinput[SHARED_MIGRATIONS] = config._migrated_database


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_migrated_database", None)
    if folder is not None:
        drop_migrated_copy(Path(folder))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, request):
    """Under pytest-xdist, migrate one test database per run, not per worker;
    on SQLite, start from the one an earlier run kept, with or without
    pytest-xdist (``migrate_once_per_run``)."""
    from django.db import connection

    folder = getattr(request.config, "workerinput", {}).get(SHARED_MIGRATIONS)
    if folder is None and connection.vendor == "sqlite":
        # One process: the folder only passes the kept copy on to itself.
        folder = tempfile.mkdtemp(prefix="bookclub-migrated-")
        request.addfinalizer(lambda: drop_migrated_copy(Path(folder)))
    if folder is not None:
        migrate_once_per_run(Path(folder))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keep the migrated rows of every test database, whichever tests were
    collected (pytest-django serializes them only when a collected test asks
    for ``serialized_rollback``), so that :func:`restore_migrated_rows` can
    put them back after any transactional test."""
    from django.db import connections

    flush_by_delete()
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            rows = getattr(connection, "_test_serialized_contents", None)
            if rows is None:
                rows = connection.creation.serialize_db_to_string()
                connection._test_serialized_contents = rows
            MIGRATED_ROWS[alias] = rows
            TEST_DATABASES[alias] = connection.settings_dict["NAME"]
            # Read while the database holds them: a page built from its row
            # looks its content type up, and would create it in an empty one.
            _PREPARED[alias] = MigratedRows(alias, rows)
    # What migrating left (the migration states' models) stays as long.
    _frozen()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    """Skip ``serialized_rollback``'s load before a transactional test: the
    migrated rows are already there (every test starts from the migrated
    database, :func:`restore_migrated_rows`), and loading them again saved
    each of them once more. The rows stay on the connection, so that the
    flush at the test's end still leaves out ``post_migrate``."""
    kept = {}
    if MIGRATED_ROWS and _is_transactional(item):
        from django.db import connections

        for alias in MIGRATED_ROWS:
            connection = connections[alias]
            if hasattr(connection, "_test_serialized_contents"):
                kept[alias] = connection._test_serialized_contents
                connection._test_serialized_contents = "[]"
    try:
        yield
    finally:
        from django.db import connections

        for alias, rows in kept.items():
            connections[alias]._test_serialized_contents = rows


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test has flushed its database, put the migrated
    rows back, so that the next test on this process finds the database as
    ``migrate`` left it whatever ran before it (pytest-django only runs
    transactional tests last in one process; under pytest-xdist a worker
    takes files in any order)."""
    yield
    # After the last test the test databases are gone and the connection
    # names the real database again: nothing may be written then.
    if nextitem is not None and MIGRATED_ROWS and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_migrated_rows()


def restore_migrated_rows() -> None:
    """Make every test database hold exactly what the migrations created.

    Django's flush after a transactional test leaves it empty (with
    ``serialized_rollback``) or with the content types and permissions that
    ``post_migrate`` recreated under new ids (without). The migrated rows
    go back with their own ids, as ``serialized_rollback`` would put them,
    but a table at a time (:class:`tests.fixtures.migrated_rows.MigratedRows`).
    """
    from django.core.management import call_command
    from django.db import connections

    for alias in MIGRATED_ROWS:
        connection = connections[alias]
        if connection.settings_dict["NAME"] != TEST_DATABASES.get(alias):
            # The test database is gone and the connection names the real one.
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM django_content_type LIMIT 1")
            flushed = cursor.fetchone() is None
        if not flushed:
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                database=alias,
                inhibit_post_migrate=True,
            )
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = %s",
                    [FTS_TABLE],
                )
                if cursor.fetchone():
                    cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        _PREPARED[alias].insert()
        _sequences_past_the_rows(connection)


def _sequences_past_the_rows(connection) -> None:
    """Set every table's id sequence past its rows, as ``loaddata`` does.

    The rows go back with their own ids, which moves no sequence, and on
    PostgreSQL the flush restarted every sequence at 1: the next row of a
    table would be given the id of a migrated one.
    """
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(
        no_style(), apps.get_models(include_auto_created=True)
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


#: Wagtail's SQLite full-text index: an FTS5 table that is no Django model, so
#: flush leaves it alone; its delete trigger empties it with the index entries,
#: and it is emptied once more so that no row a test wrote to it directly can
#: outlive the test.
FTS_TABLE = "wagtailsearch_indexentry_fts"


@pytest.fixture
def migrated_db(transactional_db):
    """A transactional database holding what the migrations created.

    ``serialized_rollback`` restores the migrated rows before a transactional
    test from the rows Django kept on the connection object it set the
    database up with; the browser tests (with Playwright's event loop in this
    thread) get another connection object without them. They are handed to
    it here.
    """
    from django.db import connection

    rows = MIGRATED_ROWS.get(connection.alias)
    if rows is not None:
        connection._test_serialized_contents = rows


@pytest.fixture(autouse=True)
def _clear_cache():
    from reviews.derived import forget_in_process
    from reviews.response_cache import forget_local

    cache.clear()
    forget_local()
    forget_in_process()
    yield
    cache.clear()
    forget_local()
    forget_in_process()
