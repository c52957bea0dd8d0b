from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest

from reviews.models import ReviewIndexPage, SeriesIndexPage
from tests.factories import UserFactory, review_index, series_index
from tests.fixtures.database import built_once, fresh


@pytest.fixture
def indexes(db):
    """The site's review and series index pages, where imports put pages."""
    return review_index(), series_index()


class BuiltIndexes(NamedTuple):
    reviews: ReviewIndexPage
    series: SeriesIndexPage


@pytest.fixture(scope="module")
def built_indexes(django_db_setup, django_db_blocker) -> Iterator[BuiltIndexes]:
    with built_once(django_db_blocker):
        yield BuiltIndexes(review_index(), series_index())


def shared_indexes() -> Callable:
    """``indexes`` built once for the module, for a module whose every test
    imports into them (``indexes = shared_indexes()`` there): creating and
    publishing the two pages was a large part of each test's set-up. Each
    test gets fresh copies from the database, and what it writes rolls back
    after it."""

    @pytest.fixture
    def indexes(built_indexes: BuiltIndexes) -> tuple[ReviewIndexPage, SeriesIndexPage]:
        return fresh(built_indexes.reviews), fresh(built_indexes.series)

    return indexes


@pytest.fixture
def reader(indexes):
    """The member whose Goodreads export is imported."""
    return UserFactory(username="rita", first_name="Rita", last_name="Reader")


@pytest.fixture
def other_reader(indexes):
    return UserFactory(username="otto", first_name="Otto", last_name="Other")
