"""The anonymous representation of live pages' StreamFields, kept per revision.

A reader who has asked to see nothing (no member, no token, no ``read=``,
``spoilers=show`` or ``reveal=``) gets every spoiler hidden, so the API
representation of a live page's body is the same for all of them. It is
kept in the cache under the page's live revision and the versions of the
tags it depends on (the page, books and series named by spoilers, the
site; reviews/cache_tags.py), read from the database in one query per
listing. A long-tail detail or a new listing page then assembles from kept
bodies instead of rendering StreamFields again, and a change
committed by any process retires them like any cached response.

Inside a build of a shared response those versions are the ones read
before the build (reviews.content_version.read_once), so a body is never
kept under versions newer than the content it was rendered from; a build
that saw a change commit keeps none. Outside one, they are read before
the streams' books, series and linked pages are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from .. import cache_tags, cache_writes
from ..content_version import changed_during_build, current_reading, tag_versions
from ..site_root import answered_as
from ..spoilers import InvalidReaderParams
from .querysets import prepare_streams

#: Seconds a body is kept; a change retires it sooner through its tags.
TIMEOUT = 3600
#: What a body shows besides the page itself. Not which media are public
#: (:data:`~reviews.cache_tags.MEDIA`, moved by publishing other pages): a
#: body shows its images the same either way, and an image's own change
#: retires the site.
SHOWN = (
    cache_tags.BOOKS,
    cache_tags.SERIES,
    cache_tags.SITE,
    cache_tags.LINKED,
)


def _stream(request: HttpRequest, value) -> list[dict[str, Any]]:
    return list(value.stream_block.get_api_representation(value, {"request": request}))


def knows_nothing(request: HttpRequest) -> bool:
    """Is the reader one for whom every spoiler is hidden?"""
    user = getattr(request, "user", None)
    if "HTTP_AUTHORIZATION" in request.META or (user and user.is_authenticated):
        return False
    reader = getattr(request, "reader", None)
    if reader is None:
        return False
    try:
        return not (
            reader.personal or reader.show_all or reader.reached or reader.revealed
        )
    except InvalidReaderParams:
        return False


def bodies(
    request: HttpRequest, pages: Sequence, field_name: str = "body"
) -> dict[int, list[dict[str, Any]]]:
    """The API representation of ``field_name`` of each page, by page id."""
    if not pages:
        return {}
    if not knows_nothing(request) or not all(page.live for page in pages):
        prepare_streams(pages, field_name)
        return {page.pk: _stream(request, getattr(page, field_name)) for page in pages}
    # Inside a build the versions were read before the pages were loaded
    # (content_version.read_once), so what is kept is never newer than the
    # versions it is kept under. Outside one (a visitor with a session, who
    # takes the whole stack) the pages were loaded first: a change committed
    # since (a script's update(), which keeps the revision) would leave the
    # old body under the new versions. Such a reader takes a kept body, and
    # keeps none.
    keeps = current_reading() is not None
    versions = tag_versions({cache_tags.page(page.pk) for page in pages} | set(SHOWN))
    # Converted for all in one go even when kept: other fields (the books a
    # review spoils) read the stream, which would convert page by page.
    prepare_streams(pages, field_name)
    shared = ":".join(str(versions[name].version) for name in SHOWN)
    context = f"{answered_as(request)}:{request.GET.get('rich_text_format', '')}"
    keys = {
        page.pk: "reviews:item:"
        + hashlib.sha256(
            f"{field_name}:{page.pk}:{page.live_revision_id}:"
            f"{versions[cache_tags.page(page.pk)].version}:{shared}:{context}".encode()
        ).hexdigest()[:40]
        for page in pages
    }
    found = cache.get_many(list(keys.values()))
    missing = [page for page in pages if keys[page.pk] not in found]
    if missing:
        built = {
            keys[page.pk]: _stream(request, getattr(page, field_name))
            for page in missing
        }
        if keeps and not changed_during_build():
            # Sent with the response's own entry where a build is under way.
            cache_writes.set_many(built, timeout=TIMEOUT)
        found.update(built)
    return {page.pk: found[keys[page.pk]] for page in pages}
