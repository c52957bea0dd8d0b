"""Chapter ranges: how hidden discussion comments are grouped and opened.

A reader who has not reached a comment's chapter is told how many comments
wait in each range of chapters ("3 comments about chapters 7–10") and may
open one range on purpose without opening the rest, the ending above all.
Ranges are fixed buckets of :data:`BUCKET_SIZE` chapters (1–5, 6–10, …),
clipped to start after what the reader has read, plus :data:`ENDING` for
comments about the whole book (no chapter), which can reveal the ending.

Pure: no models, no requests. A range's :attr:`ChapterRange.slug` is what
URLs carry (``7-10``, ``ending``); :func:`parse_range` reads it back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

BUCKET_SIZE = 5
#: The highest chapter a comment can be about (a PositiveSmallIntegerField).
MAX_CHAPTER = 32767
ENDING_SLUG = "ending"
_SLUG = re.compile(r"([0-9]{1,5})-([0-9]{1,5})")


class InvalidChapterRange(ValueError):
    """A range in a URL that names no chapters."""


@dataclass(frozen=True)
class ChapterRange:
    """Chapters ``first`` to ``last`` (both included); both None: the ending."""

    first: int | None = None
    last: int | None = None

    @property
    def is_ending(self) -> bool:
        return self.first is None

    @property
    def slug(self) -> str:
        if self.is_ending:
            return ENDING_SLUG
        return f"{self.first}-{self.last}"

    @property
    def about(self) -> str:
        """E.g. "chapter 7", "chapters 7–10", "the whole book, ending included"."""
        if self.is_ending:
            return _("the whole book, the ending included")
        if self.first == self.last:
            return _("chapter %(n)s") % {"n": self.first}
        return _("chapters %(first)s–%(last)s") % {
            "first": self.first,
            "last": self.last,
        }

    def contains(self, chapter: int | None) -> bool:
        if self.first is None or self.last is None or chapter is None:
            return self.is_ending and chapter is None
        return self.first <= chapter <= self.last

    def sort_key(self) -> float:
        return math.inf if self.first is None else self.first


ENDING = ChapterRange()


def bucket_of(chapter: int | None) -> ChapterRange:
    """The fixed bucket a chapter falls in: 7 → 6–10; None → the ending."""
    if chapter is None:
        return ENDING
    first = (chapter - 1) // BUCKET_SIZE * BUCKET_SIZE + 1
    return ChapterRange(first, first + BUCKET_SIZE - 1)


def clip(bucket: ChapterRange, reached: float) -> ChapterRange:
    """``bucket`` without the chapters already read (``reached`` or fewer).

    A reader at chapter 6 has nothing left to discover in chapter 6, so their
    range is 7–10, not 6–10.
    """
    if (
        bucket.first is None
        or bucket.last is None
        or not bucket.first <= reached < bucket.last
    ):
        return bucket
    return ChapterRange(min(int(reached) + 1, bucket.last), bucket.last)


def group(
    chapters: Iterable[int | None], reached: float = 0
) -> list[tuple[ChapterRange, int]]:
    """Count hidden chapters per range, earliest first, the ending last.

    ``chapters`` are those of the comments hidden from a reader who reached
    ``reached``; each range is clipped to what that reader has not read.
    """
    counts: dict[ChapterRange, int] = {}
    for chapter in chapters:
        bucket = bucket_of(chapter)
        counts[bucket] = counts.get(bucket, 0) + 1
    return [
        (clip(bucket, reached), count)
        for bucket, count in sorted(counts.items(), key=lambda item: item[0].sort_key())
    ]


def span(chapters: Iterable[int | None], reached: float = 0) -> ChapterRange | None:
    """The chapters from the first range :func:`group` makes of ``chapters``
    to the last, the ending aside; None when no chapter is numbered.

    What a summary of those ranges names: a reader offered 6–10 and 11–15 is
    told about chapters 6–15, not about the first and last chapter someone
    happened to comment on, which no range opens on its own.
    """
    numbered = [chapter for chapter in chapters if chapter is not None]
    if not numbered:
        return None
    first = clip(bucket_of(min(numbered)), reached)
    return ChapterRange(first.first, bucket_of(max(numbered)).last)


def intersection(one: ChapterRange, other: ChapterRange) -> ChapterRange:
    """The chapters both ranges cover; callers check that they overlap."""
    if (
        one.first is None
        or one.last is None
        or other.first is None
        or other.last is None
    ):
        return ENDING
    return ChapterRange(max(one.first, other.first), min(one.last, other.last))


def parse_range(text: str) -> ChapterRange:
    """``"7-10"`` → chapters 7 to 10; ``"ending"`` → :data:`ENDING`.

    Raises :class:`InvalidChapterRange` for anything else, including empty or
    reversed ranges and chapters no comment can be about.
    """
    if text == ENDING_SLUG:
        return ENDING
    match = _SLUG.fullmatch(text or "")
    if match is None:
        raise InvalidChapterRange(
            f"a range of chapters looks like '6-10' or '{ENDING_SLUG}', "
            f"not {text[:40]!r}."
        )
    first, last = int(match[1]), int(match[2])
    if not 1 <= first <= last <= MAX_CHAPTER:
        raise InvalidChapterRange(
            f"a range of chapters goes from a first chapter (1 or more) to a "
            f"last one (up to {MAX_CHAPTER}), not {text[:40]!r}."
        )
    return ChapterRange(first, last)
