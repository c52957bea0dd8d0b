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

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.apps import apps
from django.http import HttpRequest

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

_REQUEST_ATTR = "_bookclub_reader"
_PARAMS_ATTR = "_bookclub_reader_params"


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


class ReaderParams(NamedTuple):
    """The reader's query parameters, validated."""

    show_all: bool
    declared: dict[int, float]
    revealed: frozenset[str] = frozenset()


def parse_reader_params(params: Mapping[str, str]) -> ReaderParams:
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
    check_books_exist(declared)
    raw_reveal = getlist("reveal") if getlist is not None else [params.get("reveal")]
    revealed = parse_reveal_param(value for value in raw_reveal if value)
    return ReaderParams(show_all, declared, revealed)


def reader_from_params(params: Mapping[str, str], user=None) -> Reader:
    """Build a reader from query parameters and (optionally) a member.

    Raises :class:`InvalidReaderParams` for malformed parameters.
    """
    return _build_reader(parse_reader_params(params), user)


def _build_reader(params: ReaderParams, user) -> Reader:
    authenticated = bool(user is not None and user.is_authenticated)
    return Reader(
        show_all=params.show_all,
        reached=merge_reached(member_reached(user), params.declared),
        personal=params.show_all or bool(params.declared) or authenticated,
        revealed=params.revealed,
    )


def validate_request_params(request: HttpRequest) -> ReaderParams:
    """Validate the request's reader parameters once and remember the result.

    Needs no member, so it can run before authentication has settled (API v3
    authenticates inside the view).
    """
    request = _django_request(request)
    parsed = getattr(request, _PARAMS_ATTR, None)
    if parsed is None:
        parsed = parse_reader_params(request.GET)
        setattr(request, _PARAMS_ATTR, parsed)
    return parsed


_SESSION_USER_ATTR = "_bookclub_session_user"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def remember_session_user(request: HttpRequest) -> None:
    """Keep the session's member (lazily, no query) before an API layer
    replaces ``request.user``.

    Wagtail's API v3 trusts only bearer tokens and sets ``request.user`` to
    anonymous otherwise; the contract lets a member's session reveal what
    they have read in every API version. Reads only: the session never
    widens what a request may *do*, just which spoilers it may see.
    """
    user = getattr(request, "user", None)
    if user is not None:
        setattr(request, _SESSION_USER_ATTR, user)


def _reading_member(request, user):
    """The member whose progress counts: the authenticated user, else on a
    safe request the session's member."""
    if user is not None and user.is_authenticated:
        return user
    django_request = _django_request(request)
    if django_request.method not in SAFE_METHODS:
        return user
    session_user = getattr(django_request, _SESSION_USER_ATTR, None)
    if session_user is not None and session_user.is_authenticated:
        return session_user
    return user


def _user_key(user) -> object:
    if user is None or not user.is_authenticated:
        return None
    return user.pk


def reader_for_request(request: HttpRequest | None) -> Reader:
    """The reader behind ``request``, built once and cached on the request.

    The cache is keyed by the user, so an authenticator that replaces
    ``request.user`` later in the request (API v3's bearer token does, inside
    the view) never leaves a stale reader behind.

    Raises :class:`InvalidReaderParams` for malformed parameters; the API
    layers and :class:`reviews.middleware.ReaderMiddleware` turn that into a
    400 before any content is rendered.
    """
    if request is None:
        return ANONYMOUS
    # A DRF Request authenticates when its user is first read; the reader is
    # then kept on the Django request beneath it, where middleware sees it.
    user = _reading_member(request, getattr(request, "user", None))
    request = _django_request(request)
    key = _user_key(user)
    cached = getattr(request, _REQUEST_ATTR, None)
    if cached is not None and cached[0] == key:
        return cached[1]
    reader = _build_reader(validate_request_params(request), user)
    setattr(request, _REQUEST_ATTR, (key, reader))
    return reader


def _django_request(request) -> HttpRequest:
    return getattr(request, "_request", request)


def reader_used(request: HttpRequest) -> Reader | None:
    """The reader this request's response was built for, if one was needed."""
    cached = getattr(_django_request(request), _REQUEST_ATTR, None)
    return cached[1] if cached is not None else None


def forget_reader(request: HttpRequest) -> None:
    """Drop the cached reader, e.g. after the member recorded new progress.

    Not needed when an authenticator replaces ``request.user``: the cache is
    keyed by the user and rebuilds itself.
    """
    request = _django_request(request)
    if hasattr(request, _REQUEST_ATTR):
        delattr(request, _REQUEST_ATTR)


def revealed_comment_range(request: HttpRequest | None) -> ChapterRange | None:
    """The comment range ``request`` opens on purpose; see
    :func:`parse_reveal_comments`."""
    if request is None:
        return None
    return parse_reveal_comments(_django_request(request).GET)
