"""The store of whole public responses: entries, their freshness, lookup.

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

Most changes decide what a reader may see: a publish, an unpublish, a view
restriction, a move, a deletion, an edit (a comment's author taking a
spoiler back out), a moderator removing a comment, a member renamed or
gone, a book or an image. Only changes that merely *add* to what everyone
may already see retire their tags with ``late_ok``
(reviews/invalidation.py): a new comment, a vote, an RSVP. Each tag's row
keeps a second, *strict* version that such changes leave alone
(reviews/content_version.py). An entry whose versions moved but whose
strict versions all match lacks only those additions: it is *late*
(:data:`LATE`), and :mod:`.builds` may serve it while another client
rebuilds it.

Entries are built, one client per key, in :mod:`.builds`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, get_resolver
from django.utils.http import http_date

from .. import cache_tags
from ..content_version import (
    Reading,
    changed_during_build,
    current_reading,
    current_versions,
    tag_versions,
)

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
    #: The tags' strict versions (reviews.content_version), in tag order.
    stricts: tuple[int, ...] = ()
    #: Served while another client rebuilds it: it may lack a late-ok change.
    late: bool = False

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        if self.late:
            # Good for this rebuild only: no cache may keep it.
            response["Cache-Control"] = "no-cache"
        return response


#: Renders a response inside the reading of the tag versions that began
#: before it; returns it with the entry to keep, or None when it may not be
#: shared.
Built = tuple[HttpResponseBase, "Entry | None"]
Build = Callable[[Reading], Built]


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


def route_tags(request: HttpRequest) -> frozenset[str]:
    """What the response to ``request`` depends on as far as its route says,
    before the view runs (a served page declares its own as it renders):
    read before a build, so that the build reads no tag version again."""
    resolver = get_resolver(getattr(request, "urlconf", None))
    try:
        match = resolver.resolve(request.path_info)
    except Resolver404:
        return frozenset()
    return cache_tags.for_route(match.view_name or "", match.kwargs, request.GET)


#: Seconds after a change before a response names it in ``Last-Modified``.
LAST_MODIFIED_SETTLED = 2.0


def label(response: HttpResponse, tags: Iterable[str]) -> None:
    """Carry the tags to an edge cache, and say when they last changed.

    ``Last-Modified`` counts whole seconds: a response built in the second
    of the last change (or within a node's clock skew of it) could not tell
    an ``If-Modified-Since`` a later change in that second from none, and
    would answer it ``304`` with what that change retired. Such a response
    names no date; its ``ETag`` still validates it. Nor does one built while
    a change committed (:attr:`Reading.changed`): the versions read after it
    may be newer than what the response shows. Nor does one built outside a
    build (a visitor with a session takes the whole stack): its versions
    are read here, after its content, so a change committed in between
    would date the old content as of the change.
    """
    versions = tag_versions(tags)
    response[cache_tags.HEADER] = cache_tags.header_value(versions)
    if current_reading() is None or changed_during_build():
        return
    changed_at = max(version.changed_at for version in versions.values()).timestamp()
    if changed_at <= time.time() - LAST_MODIFIED_SETTLED:
        response["Last-Modified"] = http_date(changed_at)


FRESH = "fresh"
#: Only late-ok changes since it was built (see the module's docstring).
LATE = "late"
STALE = "stale"
#: A version no tag ever has: an entry built while a late-ok change
#: committed is stored under it, so that the next client rebuilds it.
UNMATCHED = -1


def freshness(entry: Entry) -> str:
    """Compare the entry's versions with the database's, in one query."""
    current = current_versions((*entry.tags, cache_tags.ALL))
    if tuple(current[name][0] for name in entry.tags) == entry.versions:
        return FRESH
    if tuple(current[name][1] for name in entry.tags) == entry.stricts:
        return LATE
    return STALE


def is_fresh(entry: Entry) -> bool:
    """Do the database's versions of the entry's tags still match?"""
    return freshness(entry) == FRESH


_local: OrderedDict[str, Entry] = OrderedDict()
_local_lock = threading.Lock()
#: The tags of each key's entry when this process last kept it, outliving
#: the entry: a rebuild reads them before it renders (:func:`.builds.build_once`).
_seen_tags: OrderedDict[str, tuple[str, ...]] = OrderedDict()
SEEN_TAGS_KEYS = 4 * LOCAL_ENTRIES


def keep_locally(key: str, entry: Entry) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
        _seen_tags[key] = entry.tags
        _seen_tags.move_to_end(key)
        while len(_seen_tags) > SEEN_TAGS_KEYS:
            _seen_tags.popitem(last=False)


def tags_seen(key: str) -> tuple[str, ...]:
    with _local_lock:
        return _seen_tags.get(key, ())


def local_entry(key: str) -> Entry | None:
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
        _seen_tags.clear()


def lookup(key: str) -> Entry | None:
    """The entry under ``key`` if it is still fresh: from this process's
    memory, else from the shared cache."""
    return find(key)[0]


def find(key: str) -> tuple[Entry | None, Entry | None]:
    """The entry under ``key`` if it is fresh, else (second) the entry that
    only late-ok changes have passed by, which may be served while another
    client rebuilds it. A late copy in this process's memory is not the
    last word: another process may have shared the rebuilt one since."""
    local = local_entry(key)
    if local is not None:
        fresh, late = judged_local(key, local)
        if fresh is not None or late is not None:
            return fresh, late
    return judged_shared(key, cache.get(key), local)


def judged_shared(
    key: str, shared: object, retired_locally: Entry | None
) -> tuple[Entry | None, Entry | None]:
    """:func:`judged` for what the shared cache holds under ``key``.

    ``retired_locally``: this process's own copy, just found retired. Every
    process keeps the copies it served in its memory, so after a change
    each found its own retired; the first to be asked rebuilds and shares
    the new copy, and the others must take that one rather than build it
    again: as many builds of every retired page as there are processes,
    after every publish, otherwise. The shared copy is judged unless it is
    the same retired one (no second read of the same versions)."""
    if not isinstance(shared, Entry):
        return None, None
    if (
        retired_locally is not None
        and shared.versions == retired_locally.versions
        and shared.tags == retired_locally.tags
    ):
        return None, None
    return judged(key, shared)


def judged_local(key: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """:func:`judged` for ``entry``, this process's copy; if it is late,
    the shared entry instead where another process has rebuilt it since."""
    fresh, late = judged(key, entry)
    if late is None:
        return fresh, late
    shared = cache.get(key)
    if (
        isinstance(shared, Entry)
        and shared.versions != late.versions
        and shared.expires >= time.time()
        and is_fresh(shared)
    ):
        keep_locally(key, shared)
        return shared, None
    return None, late


def judged(key: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """``(entry, None)`` if it is fresh, ``(None, entry)`` if only late-ok
    changes have passed it by, else nothing (and forgotten here)."""
    state = STALE if entry.expires < time.time() else freshness(entry)
    if state == STALE:
        with _local_lock:
            _local.pop(key, None)
        return None, None
    keep_locally(key, entry)
    if state == LATE:
        return None, entry
    return entry, None


def drop_local(key: str) -> None:
    """Forget this process's copy of ``key`` (its build kept none)."""
    with _local_lock:
        _local.pop(key, None)
