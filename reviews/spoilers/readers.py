"""The reader of a request, or of a member: what :mod:`reviews.spoilers.rule`
decides for.

A reader is built once per request from the ``spoilers=``, ``read=`` and
``reveal=`` parameters and the member's :class:`~reviews.models.ReadingProgress`,
and kept on the request. A member's emails are written for their recorded
progress alone.

Blocks ask for the reader while they render, and the models import the blocks,
so this module imports no model: it reads a member's progress through the
member's ``reading_progress`` relation and checks book ids through the app
registry, the way reusable apps reach the user model (``get_user_model()``).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, cached_property, empty

from ..chapter_ranges import ChapterRange
from .rule import (
    ANONYMOUS,
    FINISHED,
    InvalidReaderParams,
    Reader,
    merge_reached,
    parse_read_param,
    parse_reveal_comments,
    parse_reveal_param,
    parse_spoilers_param,
    single_param,
)


def check_books_exist(book_ids: Iterable[int]) -> None:
    """Raise :class:`InvalidReaderParams` naming the first unknown book id.

    A typo in ``read=`` would otherwise silently hide what the client meant to
    reveal; saying so is kinder than guessing.
    """
    wanted = set(book_ids)
    if not wanted:
        return
    book_model = apps.get_model("reviews", "Book")
    known = set(book_model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    unknown = sorted(wanted - known)
    if unknown:
        listed = ", ".join(str(pk) for pk in unknown[:5])
        raise InvalidReaderParams(
            "read",
            f"read names no known book: {listed}{'…' if len(unknown) > 5 else ''}.",
        )


def member_reached(user) -> dict[int, float]:
    """A member's recorded progress, as ``{book id: reach}``."""
    if user is None or not user.is_authenticated:
        return {}
    rows = user.reading_progress.values_list("book_id", "chapter", "finished")
    return {
        book_id: FINISHED if finished else (chapter or 0)
        for book_id, chapter, finished in rows
    }


def reader_for_member(user) -> Reader:
    """The reader a member is when nothing asks for them: their recorded
    progress alone, no ``spoilers=show``, nothing revealed. What every email
    to them is written for, since a message has no request to ask."""
    return Reader(reached=member_reached(user), personal=True)


#: The query parameters that say what a reader has read or asks to see.
READER_PARAMS = ("spoilers", "read", "reveal")


class ReaderParams(NamedTuple):
    """The reader's query parameters, validated."""

    show_all: bool
    declared: dict[int, float]
    revealed: frozenset[str] = frozenset()


def parse_reader_params(
    params: Mapping[str, str], check_books: bool = True
) -> ReaderParams:
    """Validate ``spoilers=``, ``read=`` and ``reveal=``.

    Raises :class:`InvalidReaderParams` for malformed values and for book ids
    that name no book.
    """
    show_all = parse_spoilers_param(single_param(params, "spoilers"))
    getlist = getattr(params, "getlist", None)
    raw_read = (
        ",".join(value for value in getlist("read") if value)
        if getlist is not None
        else params.get("read")
    )
    declared = parse_read_param(raw_read)
    if check_books:
        check_books_exist(declared)
    raw_reveal = getlist("reveal") if getlist is not None else [params.get("reveal")]
    revealed = parse_reveal_param(value for value in raw_reveal if value)
    return ReaderParams(show_all, declared, revealed)


def reader_from_params(params: Mapping[str, str], user=None) -> Reader:
    """Build a reader from query parameters and (optionally) a member.

    Raises :class:`InvalidReaderParams` for malformed parameters.
    """
    return _build_reader(parse_reader_params(params), user)


def _build_reader(
    params: ReaderParams, user, reached_by_member: dict[int, float] | None = None
) -> Reader:
    authenticated = bool(user is not None and user.is_authenticated)
    if reached_by_member is None:
        reached_by_member = member_reached(user)
    return Reader(
        show_all=params.show_all,
        reached=merge_reached(reached_by_member, params.declared),
        personal=params.show_all or bool(params.declared) or authenticated,
        revealed=params.revealed,
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _Origin(NamedTuple):
    request: HttpRequest
    session_user: Any
    previous: RequestReader | None


class RequestReader(SimpleLazyObject):
    """``request.reader``: the :class:`Reader` of one request, built the first
    time an output asks for it, like Django's lazy ``request.user``.

    Set by :class:`reviews.middleware.ReaderMiddleware` right after
    authentication (:func:`attach_reader`). Whoever later changes who is
    asking (an API's token authentication) or what they have read (a
    progress write) puts a fresh one in its place (:func:`refresh_reader`);
    nothing else clears it.

    It also remembers whether it was ever built, which is how the caches
    learn that a response depended on the reader (:func:`reader_used`).
    """

    def __init__(
        self,
        request: HttpRequest,
        session_user=None,
        previous: RequestReader | None = None,
    ) -> None:
        # The wrapper's own state lives in __dict__ (LazyObject forwards other
        # assignments to the Reader) and in a plain tuple: LazyObject looks
        # every attribute it returns over, which would build a lazy value.
        self.__dict__["_origin"] = _Origin(request, session_user, previous)
        if previous is not None and "params" in previous.__dict__:
            # Validated once per request: unknown book ids cost a query.
            self.__dict__["params"] = previous.__dict__["params"]
        super().__init__(self._build)

    @cached_property
    def params(self) -> ReaderParams:
        """The request's ``spoilers=``, ``read=`` and ``reveal=``, validated.

        Needs no member, so :class:`~reviews.middleware.ReaderMiddleware`
        answers a malformed value with a 400 before any view runs. Raises
        :class:`InvalidReaderParams`.
        """
        return parse_reader_params(self._origin.request.GET)

    @cached_property
    def member(self):
        """The member whose progress counts: the authenticated user as the
        request has it *now*, else, on a safe request, the session's member.

        Wagtail's API v3 trusts only bearer tokens and sets ``request.user``
        to anonymous otherwise; the contract lets a member's session reveal
        what they have read in every API version. Reads only: the session
        never widens what a request may *do*, just which spoilers it may see.
        """
        request, session_user, _previous = self._origin
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        if (
            request.method in SAFE_METHODS
            and session_user is not None
            and session_user.is_authenticated
        ):
            return session_user
        return user

    @cached_property
    def progress_rows(self) -> dict[int, Any]:
        """The member's ``ReadingProgress`` rows by book id: what the reader
        is built from, and what the progress forms show, in one query."""
        member = self.member
        if member is None or not member.is_authenticated:
            return {}
        return {row.book_id: row for row in member.reading_progress.all()}

    def _build(self) -> Reader:
        return _build_reader(
            self.params, self.member, reached_by_member=_reached(self.progress_rows)
        )

    @property
    def built(self) -> Reader | None:
        """The reader, if anything has asked for it yet."""
        wrapped = self._wrapped
        return None if wrapped is empty else wrapped

    def used(self) -> Reader | None:
        """The reader a response built in this request depended on, if any:
        this one or one it replaced, the personal one first (a response
        that showed a member's progress stays theirs after a refresh)."""
        built = []
        current: RequestReader | None = self
        while current is not None:
            if current.built is not None:
                built.append(current.built)
            current = current._origin.previous
        personal = [reader for reader in built if reader.personal]
        return next(iter(personal or built), None)


def attach_reader(request: HttpRequest) -> RequestReader:
    """Set ``request.reader`` for a request that has just been authenticated.

    Called once per request by :class:`reviews.middleware.ReaderMiddleware`,
    which must come after ``AuthenticationMiddleware`` (``reviews.checks``
    says so at start-up). ``request.user`` is kept unread (no session load)
    as the session's member.
    """
    request = _django_request(request)
    reader = RequestReader(request, getattr(request, "user", None))
    request.reader = reader  # type: ignore[attr-defined]
    return reader


def refresh_reader(request: HttpRequest, *, also_reveal: Iterable[str] = ()) -> None:
    """Put a fresh ``request.reader`` in place: the one place that says who
    is asking, what they have read or what they asked to open changed
    during the request.

    Called when an API authenticates (a bearer token replaces
    ``request.user`` inside the view), after a member records progress, and
    by an editor's preview, which opens the previewed page's blocks
    (``also_reveal``, as ``reveal=`` would). Validated parameters and the
    session's member carry over; the replaced reader still counts for
    :func:`reader_used`.
    """
    request = _django_request(request)
    previous = getattr(request, "reader", None)
    if not isinstance(previous, RequestReader):
        previous = attach_reader(request)
    reader = RequestReader(request, previous._origin.session_user, previous)
    opened = frozenset(block_id.lower() for block_id in also_reveal if block_id)
    if opened:
        params = reader.params
        reader.__dict__["params"] = params._replace(revealed=params.revealed | opened)
    request.reader = reader  # type: ignore[attr-defined]


def reader_of(request: HttpRequest | None) -> Reader:
    """``request.reader``, as a plain :class:`Reader`, for outputs that may
    have no request (an email, the search index) or one that never passed
    :class:`~reviews.middleware.ReaderMiddleware`: those get the reader who
    has read nothing, which hides every spoiler.

    Raises :class:`InvalidReaderParams` for malformed parameters.
    """
    reader = getattr(request, "reader", None) if request is not None else None
    if reader is None:
        return ANONYMOUS
    if isinstance(reader, RequestReader):
        built = reader.built
        if built is None:
            reader._setup()
            built = reader._wrapped
        return built
    return reader


def reader_used(request: HttpRequest) -> Reader | None:
    """The reader this request's response was built for, if one was needed:
    the signal that keeps a personal response out of every shared cache."""
    reader = getattr(_django_request(request), "reader", None)
    return reader.used() if isinstance(reader, RequestReader) else None


def query_may_name(request: HttpRequest, *names: str) -> bool:
    """May ``request``'s query hold a parameter called one of ``names``?

    Told from the query string as sent where it can be, without building
    ``request.GET``, which costs more than most of what a response served
    from a cache does: a parameter's name reaches ``request.GET`` written
    out or percent-encoded (``+`` only ever becomes a space), so a query
    string without ``%`` that contains none of ``names`` holds none of them.
    Anything else, or a query decoded with a charset of the request's own
    (:func:`query_read_otherwise`), is looked up in ``request.GET``. Exact
    either way.
    """
    parsed = request.__dict__.get("GET")
    if parsed is None:
        raw = request.META.get("QUERY_STRING", "")
        if not raw:
            return False
        if (
            "%" not in raw
            and not any(name in raw for name in names)
            and not query_read_otherwise(request)
        ):
            return False
        parsed = request.GET
    return any(name in parsed for name in names)


def query_read_otherwise(request: HttpRequest) -> bool:
    """Does Django read ``request``'s query with another charset than UTF-8?

    A GET's ``Content-Type`` charset is the encoding Django decodes its query
    string with: under UTF-7, ``+AHM-poilers=show`` is ``spoilers=show``.
    The same address, read as sent, asks for nothing, so an answer to such a
    request is never shared, nor answered from a shared copy.
    """
    if not request.META.get("QUERY_STRING"):
        return False
    return not _is_utf8(request.encoding or settings.DEFAULT_CHARSET)


@lru_cache(maxsize=64)
def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def params_ask_for_more(request: HttpRequest) -> bool:
    """Do the query's reader parameters ask for more than the default (hide
    everything)? Malformed ones count as asking: they get a 400 further in.

    For the page cache, which decides before authentication whether a
    request may share a page; it needs no reader and no database.
    """
    if not query_may_name(request, *READER_PARAMS):
        return False
    try:
        params = parse_reader_params(request.GET, check_books=False)
    except InvalidReaderParams:
        return True
    return params.show_all or bool(params.declared)


def _reached(rows: Mapping[int, Any]) -> dict[int, float]:
    return {
        book_id: FINISHED if row.finished else (row.chapter or 0)
        for book_id, row in rows.items()
    }


def _django_request(request) -> HttpRequest:
    # A DRF Request wraps the Django request and forwards attribute reads to
    # it; the reader lives on the Django request, where middleware sees it.
    return getattr(request, "_request", request)


def revealed_comment_range(request: HttpRequest | None) -> ChapterRange | None:
    """The comment range ``request`` opens on purpose; see
    :func:`parse_reveal_comments`."""
    if request is None:
        return None
    return parse_reveal_comments(_django_request(request).GET)
