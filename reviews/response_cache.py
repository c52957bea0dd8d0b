"""The server's cache of whole public responses, shared by the API's and the
pages' middleware (reviews/caching.py, reviews/page_cache.py).

An entry is kept under the request's URL with the tags the response depends
on (reviews.cache_tags) and their versions when it was built. It is served
only while the database still holds those versions: one indexed query per
request, so a change committed by any process (another worker, a management
command) retires it at once, whatever cache backend the site uses. No
version sits in the key, so a change retires only the entries whose tags it
names.

The entries a process served last are also kept in its own memory, in
front of the shared cache (:func:`lookup`): a hot response then costs that
one query and no cache round trip, and is exactly as fresh, since the same
versions decide.

When many clients miss the same key at once, one builds it and the others
wait for its entry (:func:`build_once`); with a cache shared between
processes (Redis) that holds across processes too.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date

from . import cache_tags
from .content_version import content_version, current_versions, tag_versions

#: How long a client that missed waits for another one's build of the same
#: key before building it too; and how long a build may hold the key.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02
LOCK_SUFFIX = ":building"
#: How many entries a process keeps in its own memory (the last used).
LOCAL_ENTRIES = 256


@dataclass(frozen=True)
class Entry:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    versions: tuple[int, ...]
    counted_view: int | None = None
    #: When the shared cache lets it go (a Unix time; 0: not stored yet).
    expires: float = 0.0

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
    return cache_tags.for_route(match.view_name or "", match.kwargs, request.GET)


def label(response: HttpResponse, tags: Iterable[str]) -> None:
    """Carry the tags to an edge cache, and say when they last changed."""
    versions = tag_versions(tags)
    response[cache_tags.HEADER] = cache_tags.header_value(versions)
    changed_at = max(version.changed_at for version in versions.values())
    response["Last-Modified"] = http_date(changed_at.timestamp())


def is_fresh(entry: Entry) -> bool:
    """Do the database's versions of the entry's tags still match?"""
    current = current_versions((*entry.tags, cache_tags.ALL))
    return tuple(current[name] for name in entry.tags) == entry.versions


_local: OrderedDict[str, Entry] = OrderedDict()
_local_lock = threading.Lock()


def _keep_locally(key: str, entry: Entry) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _local_entry(key: str) -> Entry | None:
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
    return entry


def forget_local(**kwargs) -> None:
    """Drop the entries kept in this process's memory (a setting changed:
    responses built before may differ; tests start afresh)."""
    with _local_lock:
        _local.clear()


def lookup(key: str) -> Entry | None:
    """The entry under ``key`` if it is still fresh: from this process's
    memory, else from the shared cache."""
    entry = _local_entry(key)
    if entry is None:
        entry = cache.get(key)
        if not isinstance(entry, Entry):
            return None
    if entry.expires < time.time() or not is_fresh(entry):
        with _local_lock:
            _local.pop(key, None)
        return None
    _keep_locally(key, entry)
    return entry


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
            entry = dataclasses.replace(entry, expires=time.time() + timeout)
            cache.set(key, entry, timeout=timeout)
            _keep_locally(key, entry)
        return response
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
