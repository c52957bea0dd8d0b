from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest

from reviews.models import Book, DiscussionPage
from tests.factories import BookFactory, bearer, make_discussion
from tests.fixtures.database import built_once, fresh_copies


def _discussion(book: Book) -> DiscussionPage:
    return make_discussion(book=book, title="The Siege, all of it")


@pytest.fixture
def discussion(book):
    """A discussion of a 30-chapter book."""
    return _discussion(book)


class BuiltDiscussion(NamedTuple):
    book: Book
    discussion: DiscussionPage


@pytest.fixture(scope="module")
def built_discussion(django_db_setup, django_db_blocker) -> Iterator[BuiltDiscussion]:
    with built_once(django_db_blocker):
        book = BookFactory(title="The Siege", chapter_count=30)
        yield BuiltDiscussion(book, _discussion(book))


def shared_discussion() -> tuple[Callable, ...]:
    """``book`` and ``discussion`` built once for the module, for a module
    whose every test reads them (``book, discussion = shared_discussion()``
    there): creating and publishing the discussion page was most of each
    test's set-up. Each test gets fresh copies from the database, and what
    it writes rolls back after it."""
    return fresh_copies("built_discussion", "book", "discussion")


@pytest.fixture
def member_headers(member):
    return bearer(member)


@pytest.fixture
def comments_url(discussion):
    return f"/api/v3/discussions/{discussion.pk}/comments/"
