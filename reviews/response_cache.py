"""The server's cache of whole public responses, shared by the API's and the
pages' middleware (reviews/caching.py, reviews/page_cache.py).

An entry is kept under the request's URL with the tags the response depends
on (reviews.cache_tags) and their versions when it was built. It is served
only while the database still holds those versions: one cache read and one
indexed query per request, so a change committed by any process (another
worker, a management command) retires it at once, whatever cache backend
the site uses. No version sits in the key, so a change retires only the
entries whose tags it names.

When many clients miss the same key at once, one builds it and the others
wait for its entry (:func:`build_once`); with a cache shared between
processes (Redis) that holds across processes too.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date

from . import cache_tags
from .content_version import content_version, tag_versions

#: How long a client that missed waits for another one's build of the same
#: key before building it too; and how long a build may hold the key.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02
LOCK_SUFFIX = ":building"


@dataclass(frozen=True)
class Entry:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    versions: tuple[int, ...]
    counted_view: int | None = None

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


#: Renders a response from the content version read before (``since``);
#: returns it with the entry to keep, or None when it may not be shared.
Built = tuple[HttpResponseBase, "Entry | None"]
Build = Callable[[str], Built]


def tags_of(request: HttpRequest) -> frozenset[str]:
    """What the response to ``request`` depends on: the tags a served page
    declared (see reviews/wagtail_hooks.py), else those of its route."""
    declared = getattr(request, "cache_tags", None)
    if declared:
        return frozenset(declared) | {cache_tags.SITE}
    match = getattr(request, "resolver_match", None)
    if match is None:
        return frozenset({cache_tags.SITE, cache_tags.ALL})
    return cache_tags.for_route(match.view_name or "", match.kwargs)


def label(response: HttpResponse, tags: Iterable[str]) -> None:
    """Carry the tags to an edge cache, and say when they last changed."""
    versions = tag_versions(tags)
    response[cache_tags.HEADER] = cache_tags.header_value(versions)
    changed_at = max(version.changed_at for version in versions.values())
    response["Last-Modified"] = http_date(changed_at.timestamp())


def is_fresh(entry: Entry) -> bool:
    """Do the database's versions of the entry's tags still match?"""
    current = tag_versions((*entry.tags, cache_tags.ALL))
    return tuple(current[name].version for name in entry.tags) == entry.versions


def lookup(key: str) -> Entry | None:
    entry = cache.get(key)
    if isinstance(entry, Entry) and is_fresh(entry):
        return entry
    return None


def freeze(
    response: HttpResponse,
    tags: Iterable[str],
    since: str,
    counted_view: int | None = None,
) -> Entry | None:
    """An entry for ``response``, or None if the content changed while it
    was built (the version read before building, ``since``, moved on): it
    may hold what was there before, under versions that say otherwise."""
    names = tuple(sorted(tags))
    current = tag_versions((*names, cache_tags.ALL))
    if str(current[cache_tags.ALL].version) != since:
        return None
    return Entry(
        content=response.content,
        headers=tuple(response.items()),
        tags=names,
        versions=tuple(current[name].version for name in names),
        counted_view=counted_view,
    )


def build_once(
    key: str,
    build: Build,
    timeout: int,
) -> HttpResponseBase | Entry:
    """The response for ``key``, built by one client at a time.

    ``build(since)`` renders the response and returns it with the entry to
    keep (None: not shareable); ``since`` is the content version read before
    rendering. A client that finds another building the key waits for that
    entry, up to :data:`WAIT_SECONDS`, and builds it itself only if none
    comes (the other one's response was not shareable, or it died).
    """
    lock = key + LOCK_SUFFIX
    token = secrets.token_hex(8)
    if not cache.add(lock, token, timeout=int(WAIT_SECONDS) + 1):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            entry = lookup(key)
            if entry is not None:
                return entry
            if cache.get(lock) is None:
                break
    try:
        response, entry = build(content_version())
        if entry is not None:
            cache.set(key, entry, timeout=timeout)
        return response
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
