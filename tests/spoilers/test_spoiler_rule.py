"""The one rule: who may see a spoiler of which book, how far in."""

import pytest
from django.test import RequestFactory

from reviews.spoilers import (
    ANONYMOUS,
    FINISHED,
    InvalidReaderParams,
    Reader,
    attach_reader,
    can_see,
    parse_read_param,
)
from tests.factories import BookFactory, ReadingProgressFactory


def test_nothing_known_means_hidden():
    assert not can_see(ANONYMOUS, 1, 3)
    assert not can_see(ANONYMOUS, 1, None)
    assert not can_see(None, 1, 1)


def test_progress_reaching_the_chapter_reveals_it():
    reader = Reader(reached={1: 5})
    assert can_see(reader, 1, 5)
    assert can_see(reader, 1, 2)
    assert not can_see(reader, 1, 6)
    assert not can_see(reader, 1, None), "the ending needs the book finished"
    assert not can_see(reader, 2, 1), "progress in one book says nothing of another"


def test_finishing_reveals_everything_in_that_book():
    reader = Reader(reached={1: FINISHED})
    assert can_see(reader, 1, None)
    assert can_see(reader, 1, 999)


def test_asking_to_see_spoilers_reveals_all():
    assert can_see(Reader(show_all=True), 7, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", {12: FINISHED}),
        ("12:4,15", {12: 4, 15: FINISHED}),
        ("3:2,3:9", {3: 9}),
        ("", {}),
    ],
)
def test_read_parameter(value, expected):
    assert parse_read_param(value) == expected


@pytest.mark.parametrize(
    "value", ["x", "1:", ":3", "1:2:3", "0", "-1", "1:0", "1;2", "١", "9" * 20]
)
def test_bad_read_parameter_is_an_error(value):
    with pytest.raises(InvalidReaderParams):
        parse_read_param(value)


@pytest.mark.django_db
def test_member_progress_counts_and_read_can_add_but_not_take_away(member):
    siege = BookFactory()
    betrayal = BookFactory()
    ReadingProgressFactory(member=member, book=siege, chapter=10)
    request = RequestFactory().get("/", {"read": f"{siege.pk}:2,{betrayal.pk}:4"})
    request.user = member
    attach_reader(request)
    reader = request.reader
    assert reader.reach(siege.pk) == 10, "read= never lowers a member's progress"
    assert reader.reach(betrayal.pk) == 4
    assert reader.personal


@pytest.mark.django_db
def test_finished_progress_reveals_the_ending(member):
    siege = BookFactory()
    ReadingProgressFactory(member=member, book=siege, chapter=3, finished=True)
    request = RequestFactory().get("/")
    request.user = member
    attach_reader(request)
    assert can_see(request.reader, siege.pk, None)
