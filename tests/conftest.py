import pytest
from django.core.cache import cache

from tests.ports import claim_server_ranges

#: The rows the migrations created (root page, default site, root collection,
#: Wagtail's groups) as Django serialized them for ``serialized_rollback``,
#: by database alias. See ``migrated_db`` in tests/browser/conftest.py.
MIGRATED_ROWS: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    # Under pytest-xdist each worker starts its servers on its own ports.
    claim_server_ranges()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    from django.db import connections

    for alias in connections:
        rows = getattr(connections[alias], "_test_serialized_contents", None)
        if rows is not None:
            MIGRATED_ROWS[alias] = rows


@pytest.fixture
def migrated_db(transactional_db):
    """A live-server database holding what the migrations created.

    Each browser test flushes the database afterwards, and ``serialized_rollback``
    should put the migrated rows back before the next one. Django keeps the
    serialized rows on the connection object it set the database up with;
    when other tests ran first in the same session, the browser tests (with
    Playwright's event loop in this thread) got a connection object without
    them, so nothing was restored and every test after the first failed.
    The rows are kept at set-up and put back here when they are missing.
    """
    from django.db import connection
    from wagtail.models import Site

    rows = MIGRATED_ROWS.get(connection.alias)
    if rows is None:
        return
    # Let ``serialized_rollback`` restore them itself from now on.
    connection._test_serialized_contents = rows
    if not Site.objects.exists():
        connection.creation.deserialize_db_from_string(rows)


@pytest.fixture(autouse=True)
def _clear_cache():
    from reviews.response_cache import forget_local

    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture
def book(db):
    from tests.factories import BookFactory

    return BookFactory(title="The Siege", chapter_count=30)


@pytest.fixture
def member(db):
    from tests.factories import UserFactory

    return UserFactory(username="alice", first_name="Alice", last_name="Marsh")
