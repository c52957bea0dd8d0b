"""The rule itself, beyond the basics in tests/spoilers/test_spoiler_rule.py."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from reviews.spoilers import (
    FINISHED,
    MAX_READ_LENGTH,
    InvalidReaderParams,
    Reader,
    attach_reader,
    can_see,
    can_see_about,
    reader_from_params,
)
from tests.factories import BookFactory, ReadingProgressFactory, UserFactory


def test_having_read_is_not_the_same_as_asking():
    asked = Reader(show_all=True)
    assert can_see(asked, 1, 3)
    assert not asked.has_read(1, 3)
    reader = Reader(reached={1: 3})
    assert reader.has_read(1, 3) and can_see(reader, 1, 3)


def test_a_spoiler_whose_book_is_gone_stays_hidden():
    assert not can_see(Reader(reached={1: FINISHED}), None, None)
    assert can_see(Reader(show_all=True), None, None)


def test_questions_without_a_chapter_are_open_to_all():
    assert can_see_about(None, 1, None)
    assert not can_see_about(Reader(), 1, 2)
    assert can_see_about(Reader(reached={1: 2}), 1, 2)
    assert not can_see_about(Reader(reached={1: 2}), 1, 3)


@pytest.mark.django_db
def test_unknown_books_are_named():
    book = BookFactory()
    with pytest.raises(InvalidReaderParams) as error:
        reader_from_params({"read": f"{book.pk},777777,888888:2"})
    assert error.value.param == "read"
    assert "777777" in error.value.message and "888888" in error.value.message


@pytest.mark.django_db
def test_repeated_read_parameters_add_up():
    first, second = BookFactory(), BookFactory()
    request = RequestFactory().get(f"/?read={first.pk}&read={second.pk}:4")
    request.user = AnonymousUser()
    attach_reader(request)
    reader = request.reader
    assert reader.reach(first.pk) == FINISHED
    assert reader.reach(second.pk) == 4


def test_overlong_read_is_refused_before_parsing():
    with pytest.raises(InvalidReaderParams) as error:
        reader_from_params({"read": "1," * MAX_READ_LENGTH})
    assert "longer than" in error.value.message


@pytest.mark.django_db
def test_reader_is_built_for_the_user_when_first_asked():
    """API v3 sets request.user inside the view, after middleware ran: the
    reader is lazy, like request.user, so it is the member that settles."""
    book = BookFactory()
    member = UserFactory()
    ReadingProgressFactory(member=member, book=book, finished=True)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    attach_reader(request)
    request.user = member
    assert can_see(request.reader, book.pk, None)
    assert request.reader.personal


@pytest.mark.django_db
def test_member_progress_is_read_once_per_page(client, review, reader_at_chapter_5):
    client.force_login(reader_at_chapter_5)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(review.url)
    assert response.status_code == 200
    progress_queries = [
        q["sql"] for q in queries if "reviews_readingprogress" in q["sql"]
    ]
    # The spoiler rule and the progress forms read the same rows.
    assert len(progress_queries) == 1, progress_queries
