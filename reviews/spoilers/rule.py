"""The one place that decides whether a reader may see a spoiler.

Every output (HTML, API v2 and v3, search, feeds, meta tags, discussion
questions and comments) asks :func:`can_see` through a :class:`Reader`. A
reader says what someone has read:

* ``spoilers=hide|show`` — an explicit wish to see everything;
* ``read=<book id>[:<chapter>],…`` — what an anonymous client declares it
  has read (a bare book id means "finished");
* the authenticated member's reading progress.

``read=`` may add to a member's progress, never take away. Where nothing is
known about the reader, spoilers are hidden.

A reader may also ask for one block by its StreamField id (``reveal=<uuid>``,
what the no-JavaScript reveal link sends). That reveals the block to whoever
asks, so it does not make the response personal: a revealed page is the same
for everyone and may be shared by caches under its own URL.
:func:`can_see_block` and :func:`can_see_question` are what a block asks.

This module is pure: it parses parameters and decides, and knows no model,
request or database. :mod:`reviews.spoilers.readers` builds the reader of a
request or a member.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..chapter_ranges import ChapterRange, InvalidChapterRange, parse_range

#: Stands for "finished the book": beyond every chapter, the ending included.
FINISHED = math.inf

MAX_READ_ENTRIES = 200
#: Longest accepted ``read=`` value: 200 entries of "123456789:12345".
MAX_READ_LENGTH = MAX_READ_ENTRIES * 16
#: A reveal link opens one block; a few more are tolerated, no more.
MAX_REVEALED = 10


class InvalidReaderParams(ValueError):
    """A ``spoilers=`` or ``read=`` query parameter that cannot be understood."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Reader:
    """What one reader has read, and whether they asked to see everything."""

    show_all: bool = False
    reached: Mapping[int, float] = field(default_factory=dict)
    #: True when the reader depends on who is asking (a member's progress or
    #: query parameters): such responses must never come from a shared cache.
    personal: bool = False
    #: StreamField block ids the reader asked to open (``reveal=``). Not
    #: personal: anyone following the same link sees the same blocks.
    revealed: frozenset[str] = frozenset()

    def reach(self, book_id: int | None) -> float:
        """The furthest chapter read in ``book_id`` (FINISHED, or 0 if none)."""
        if book_id is None:
            return 0
        return self.reached.get(book_id, 0)

    def has_read(self, book_id: int | None, chapter: int | None) -> bool:
        """Has this reader read ``book_id`` up to ``chapter``?

        Unlike :meth:`can_see`, asking to see spoilers does not count: this is
        what lets a page say "you have read this far" truthfully.
        """
        reach = self.reach(book_id)
        if chapter is None:
            return reach == FINISHED
        return reach >= chapter

    def can_see(self, book_id: int | None, chapter: int | None) -> bool:
        return can_see(self, book_id, chapter)

    def can_see_block(
        self, block_id: str | None, book_id: int | None, chapter: int | None
    ) -> bool:
        return can_see_block(self, block_id, book_id, chapter)


ANONYMOUS = Reader()

#: How a spoiler block meets a reader: ``read`` (their progress covers it),
#: ``asked`` (``spoilers=show``), ``revealed`` (they opened this one block),
#: or ``hidden`` (only its label and scope are sent).
BlockState = Literal["read", "asked", "revealed", "hidden"]


def can_see(reader: Reader | None, book_id: int | None, chapter: int | None) -> bool:
    """May ``reader`` see a spoiler of ``book_id`` up to ``chapter``?

    ``chapter=None`` means the spoiler may reveal anything in the book, the
    ending included, so only a reader who finished it (or asked) sees it.
    A spoiler that names no book (its book was deleted) stays hidden unless
    the reader asked to see everything.
    """
    if reader is None:
        return False
    if reader.show_all:
        return True
    return reader.has_read(book_id, chapter)


def is_revealed(reader: Reader | None, block_id: str | None) -> bool:
    """Did ``reader`` ask to open the block ``block_id`` (``reveal=``)?"""
    return bool(reader is not None and block_id and block_id.lower() in reader.revealed)


def can_see_block(
    reader: Reader | None,
    block_id: str | None,
    book_id: int | None,
    chapter: int | None,
) -> bool:
    """May ``reader`` see the spoiler block ``block_id`` in an HTML page?

    :func:`can_see`, or the reader opened this very block on purpose. The
    APIs do not take ``reveal=``: they ask :func:`can_see` alone.
    """
    return can_see(reader, book_id, chapter) or is_revealed(reader, block_id)


def spoiler_state(
    reader: Reader | None,
    block_id: str | None,
    book_id: int | None,
    chapter: int | None,
) -> BlockState:
    """How a spoiler block is sent to ``reader`` (see :data:`BlockState`)."""
    if reader is not None and reader.has_read(book_id, chapter):
        return "read"
    if reader is not None and reader.show_all:
        return "asked"
    if is_revealed(reader, block_id):
        return "revealed"
    return "hidden"


def can_see_question(
    reader: Reader | None,
    block_id: str | None,
    book_id: int | None,
    chapter: int | None,
) -> bool:
    """May ``reader`` see the discussion question block ``block_id``?"""
    return can_see_about(reader, book_id, chapter) or is_revealed(reader, block_id)


def can_see_about(
    reader: Reader | None, book_id: int | None, chapter: int | None
) -> bool:
    """May ``reader`` see a question or comment about ``chapter`` of a book?

    Unlike a spoiler, a discussion question or comment with no chapter is
    about the book in general and open to everyone; one about a chapter is
    gated exactly like a spoiler up to that chapter.
    """
    if chapter is None:
        return True
    return can_see(reader, book_id, chapter)


def parse_spoilers_param(value: str | None) -> bool:
    """``spoilers=show`` → True, ``hide`` or absent → False; else an error."""
    if value is None or value == "" or value == "hide":
        return False
    if value == "show":
        return True
    raise InvalidReaderParams(
        "spoilers", f"spoilers must be 'hide' or 'show', not {value[:40]!r}."
    )


def parse_reveal_param(values: Iterable[str]) -> frozenset[str]:
    """Parse ``reveal=<block uuid>`` (repeatable) into a set of lower-case ids.

    Block ids are the UUIDs Wagtail gives every StreamField child; anything
    else is an error rather than silently revealing nothing.
    """
    revealed: set[str] = set()
    for value in values:
        if not value:
            continue
        text = value.strip()
        try:
            if len(text) != 36:
                raise ValueError(text)
            block_id = str(uuid.UUID(text))
        except ValueError:
            raise InvalidReaderParams(
                "reveal",
                f"reveal must be a block id (a UUID), not {value[:40]!r}.",
            ) from None
        revealed.add(block_id)
    if len(revealed) > MAX_REVEALED:
        raise InvalidReaderParams(
            "reveal", f"reveal opens at most {MAX_REVEALED} blocks at once."
        )
    return frozenset(revealed)


def parse_read_param(value: str | None) -> dict[int, float]:
    """Parse ``read=12,15:7`` into ``{12: FINISHED, 15: 7}``."""
    if not value:
        return {}
    if len(value) > MAX_READ_LENGTH:
        raise InvalidReaderParams(
            "read", f"read is longer than {MAX_READ_LENGTH} characters."
        )
    reached: dict[int, float] = {}
    entries = value.split(",")
    if len(entries) > MAX_READ_ENTRIES:
        raise InvalidReaderParams(
            "read", f"read lists at most {MAX_READ_ENTRIES} books."
        )
    for entry in entries:
        book, sep, chapter = entry.strip().partition(":")
        if not _is_positive_int(book) or (sep and not _is_positive_int(chapter)):
            raise InvalidReaderParams(
                "read",
                "read must look like '<book id>[:<chapter>],…' with positive "
                f"whole numbers; {entry[:40]!r} does not.",
            )
        reach = int(chapter) if sep else FINISHED
        book_id = int(book)
        reached[book_id] = max(reached.get(book_id, 0), reach)
    return reached


def _is_positive_int(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 9 and int(text) > 0


def merge_reached(*sources: Mapping[int, float]) -> dict[int, float]:
    """Combine several sources of progress: the furthest reach wins."""
    merged: dict[int, float] = {}
    for source in sources:
        for book_id, reach in source.items():
            merged[book_id] = max(merged.get(book_id, 0), reach)
    return merged


def single_param(params: Mapping[str, str], name: str) -> str | None:
    """The value of ``name``; repeating it with different values is an error."""
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist is not None else None
    if values is None:
        return params.get(name)
    if len(set(values)) > 1:
        raise InvalidReaderParams(name, f"give {name} once.")
    return values[0] if values else None


# -- Opening one range of hidden comments ------------------------------------

REVEAL_COMMENTS_PARAM = "reveal_comments"


def parse_reveal_comments(params: Mapping[str, str]) -> ChapterRange | None:
    """The range of hidden comments a reader asked to open
    (``?reveal_comments=6-10`` or ``ending``), or None.

    Opening a range is a request for those comments only: it is not progress
    and reveals nothing else. Raises :class:`InvalidReaderParams` for a value
    that names no range.
    """
    value = single_param(params, REVEAL_COMMENTS_PARAM)
    if not value:
        return None
    try:
        return parse_range(value)
    except InvalidChapterRange as error:
        raise InvalidReaderParams(
            REVEAL_COMMENTS_PARAM,
            f"{REVEAL_COMMENTS_PARAM} must name a range of chapters: {error}",
        ) from error
