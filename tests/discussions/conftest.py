import pytest

from tests.factories import UserFactory, bearer, make_discussion


@pytest.fixture
def discussion(book):
    """A discussion of a 30-chapter book."""
    return make_discussion(book=book, title="The Siege, all of it")


@pytest.fixture
def other_member(db):
    return UserFactory(username="bruno", first_name="Bruno", last_name="Keller")


@pytest.fixture
def member_headers(member):
    return bearer(member)


@pytest.fixture
def comments_url(discussion):
    return f"/api/v3/discussions/{discussion.pk}/comments/"
