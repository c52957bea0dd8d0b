import pytest
from django.core.cache import cache

#: The rows the migrations created (root page, default site, root collection,
#: Wagtail's groups) as Django serialized them for ``serialized_rollback``,
#: by database alias. See ``migrated_db`` in tests/browser/conftest.py.
MIGRATED_ROWS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    from django.db import connections

    for alias in connections:
        rows = getattr(connections[alias], "_test_serialized_contents", None)
        if rows is not None:
            MIGRATED_ROWS[alias] = rows


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def book(db):
    from tests.factories import BookFactory

    return BookFactory(title="The Siege", chapter_count=30)


@pytest.fixture
def member(db):
    from tests.factories import UserFactory

    return UserFactory(username="alice", first_name="Alice", last_name="Marsh")
