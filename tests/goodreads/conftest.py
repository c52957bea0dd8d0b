import pytest

from tests.factories import UserFactory, review_index, series_index


@pytest.fixture
def indexes(db):
    """The site's review and series index pages, where imports put pages."""
    return review_index(), series_index()


@pytest.fixture
def reader(indexes):
    """The member whose Goodreads export is imported."""
    return UserFactory(username="rita", first_name="Rita", last_name="Reader")


@pytest.fixture
def other_reader(indexes):
    return UserFactory(username="otto", first_name="Otto", last_name="Other")
