"""Chapter ranges: how hidden comments are counted and opened (pure rules)."""

import math

import pytest

from reviews.chapter_ranges import (
    ENDING,
    ChapterRange,
    InvalidChapterRange,
    bucket_of,
    clip,
    group,
    intersection,
    parse_range,
)


@pytest.mark.parametrize(
    ("chapter", "bucket"),
    [(1, (1, 5)), (5, (1, 5)), (6, (6, 10)), (10, (6, 10)), (11, (11, 15))],
)
def test_chapters_fall_in_buckets_of_five(chapter, bucket):
    assert bucket_of(chapter) == ChapterRange(*bucket)


def test_a_comment_with_no_chapter_is_about_the_ending():
    assert bucket_of(None) == ENDING
    assert ENDING.slug == "ending"
    assert ENDING.about == "the whole book, the ending included"


def test_a_range_starts_after_what_the_reader_has_read():
    assert clip(ChapterRange(6, 10), 6) == ChapterRange(7, 10)
    assert clip(ChapterRange(6, 10), 9) == ChapterRange(10, 10)
    assert clip(ChapterRange(6, 10), 3) == ChapterRange(6, 10)
    assert clip(ENDING, 29) == ENDING
    assert clip(ChapterRange(6, 10), math.inf) == ChapterRange(6, 10)


def test_group_counts_per_range_earliest_first_ending_last():
    assert group([None, 12, 7, 9, 30, None], reached=6) == [
        (ChapterRange(7, 10), 2),
        (ChapterRange(11, 15), 1),
        (ChapterRange(26, 30), 1),
        (ENDING, 2),
    ]
    assert group([]) == []


def test_labels_say_what_a_range_covers():
    assert ChapterRange(7, 10).about == "chapters 7–10"
    assert ChapterRange(10, 10).about == "chapter 10"
    assert ChapterRange(7, 10).slug == "7-10"


def test_contains_keeps_the_ending_apart():
    assert ChapterRange(6, 10).contains(6)
    assert ChapterRange(6, 10).contains(10)
    assert not ChapterRange(6, 10).contains(11)
    assert not ChapterRange(6, 10).contains(None)
    assert ENDING.contains(None)
    assert not ENDING.contains(30)


@pytest.mark.parametrize("text", ["6-10", "ending", "1-1", "7-32767"])
def test_parse_reads_back_every_slug(text):
    assert parse_range(text).slug == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7",
        "10-7",
        "0-5",
        "-5",
        "6-",
        "six-ten",
        "6–10",
        "1-99999",
        "ENDING",
        "6-10 ",
    ],
)
def test_parse_refuses_anything_else(text):
    with pytest.raises(InvalidChapterRange):
        parse_range(text)


def test_intersection_is_the_chapters_both_cover():
    assert intersection(ChapterRange(6, 10), ChapterRange(8, 12)) == ChapterRange(8, 10)
    assert intersection(ENDING, ENDING) == ENDING
