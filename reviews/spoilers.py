"""The one place that decides whether a reader may see a spoiler.

Every output (HTML, API v2 and v3, search, feeds, meta tags, discussion
questions and comments) asks :func:`can_see` through a :class:`Reader`. A
reader is built once per request from three sources:

* ``spoilers=hide|show`` — an explicit wish to see everything;
* ``read=<book id>[:<chapter>],…`` — what an anonymous client declares it
  has read (a bare book id means "finished");
* the authenticated member's :class:`~reviews.models.ReadingProgress`.

``read=`` may add to a member's progress, never take away. Where nothing is
known about the reader, spoilers are hidden.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest

#: Stands for "finished the book": beyond every chapter, the ending included.
FINISHED = math.inf

MAX_READ_ENTRIES = 200
_REQUEST_ATTR = "_bookclub_reader"


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

    def reach(self, book_id: int | None) -> float:
        """The furthest chapter read in ``book_id`` (FINISHED, or 0 if none)."""
        if book_id is None:
            return 0
        return self.reached.get(book_id, 0)

    def can_see(self, book_id: int | None, chapter: int | None) -> bool:
        return can_see(self, book_id, chapter)


ANONYMOUS = Reader()


def can_see(reader: Reader | None, book_id: int | None, chapter: int | None) -> bool:
    """May ``reader`` see a spoiler of ``book_id`` up to ``chapter``?

    ``chapter=None`` means the spoiler may reveal anything in the book, the
    ending included, so only a reader who finished it (or asked) sees it.
    """
    if reader is None:
        return False
    if reader.show_all:
        return True
    reach = reader.reach(book_id)
    if chapter is None:
        return reach == FINISHED
    return reach >= chapter


def parse_spoilers_param(value: str | None) -> bool:
    """``spoilers=show`` → True, ``hide`` or absent → False; else an error."""
    if value is None or value == "" or value == "hide":
        return False
    if value == "show":
        return True
    raise InvalidReaderParams(
        "spoilers", f"spoilers must be 'hide' or 'show', not {value[:40]!r}."
    )


def parse_read_param(value: str | None) -> dict[int, float]:
    """Parse ``read=12,15:7`` into ``{12: FINISHED, 15: 7}``."""
    if not value:
        return {}
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


def member_reached(user) -> dict[int, float]:
    """A member's recorded progress, as ``{book id: reach}``."""
    from .models import ReadingProgress

    if user is None or not user.is_authenticated:
        return {}
    rows = ReadingProgress.objects.filter(member=user).values_list(
        "book_id", "chapter", "finished"
    )
    return {
        book_id: FINISHED if finished else (chapter or 0)
        for book_id, chapter, finished in rows
    }


def reader_from_params(params: Mapping[str, str], user=None) -> Reader:
    """Build a reader from query parameters and (optionally) a member.

    Raises :class:`InvalidReaderParams` for malformed parameters.
    """
    show_all = parse_spoilers_param(params.get("spoilers"))
    declared = parse_read_param(params.get("read"))
    from_member = member_reached(user)
    personal = (
        show_all or bool(declared) or bool(user is not None and user.is_authenticated)
    )
    return Reader(
        show_all=show_all,
        reached=merge_reached(from_member, declared),
        personal=personal,
    )


def reader_for_request(request: HttpRequest | None) -> Reader:
    """The reader behind ``request``, built once and cached on the request.

    Raises :class:`InvalidReaderParams` for malformed parameters; the API
    layers and :class:`reviews.middleware.ReaderMiddleware` turn that into a
    400 before any content is rendered.
    """
    if request is None:
        return ANONYMOUS
    reader = getattr(request, _REQUEST_ATTR, None)
    if reader is None:
        reader = reader_from_params(request.GET, getattr(request, "user", None))
        setattr(request, _REQUEST_ATTR, reader)
    return reader


def forget_reader(request: HttpRequest) -> None:
    """Drop the cached reader, e.g. after the member recorded new progress or
    an API authenticator replaced ``request.user``."""
    if hasattr(request, _REQUEST_ATTR):
        delattr(request, _REQUEST_ATTR)
