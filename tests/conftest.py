import pytest
from django.core.cache import cache


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
