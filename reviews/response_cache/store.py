"""The store of whole public responses: lookup, one build per key, freshness.

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

Serving the previous copy while one client rebuilds (stale while
revalidate) is allowed only where being late cannot matter. The promise is
that no response shows content older than a committed change, and most
changes decide what a reader may see: a publish, an unpublish, a view
restriction, a move, a deletion, an edit (a comment's author taking a
spoiler back out), a moderator removing a comment, a member renamed or
gone, a book or an image. For those the other clients wait for the new
copy, as before. Only changes that merely *add* to what everyone may
already see retire their tags with ``late_ok`` (reviews/invalidation.py):
a new comment, a vote, an RSVP. Each tag's row keeps a second, *strict*
version that such changes leave alone (reviews/content_version.py). An
entry whose versions moved but whose strict versions all match lacks only
those additions; while another client holds its build lock, it is served
as it is, marked ``Cache-Control: no-cache`` so that no edge cache or
browser keeps it beyond that rebuild. The client that takes the lock
builds, and a sequence of requests therefore always sees the change at
once: only requests that arrive during someone else's rebuild get the
previous copy, for that rebuild's length.
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
from django.urls import Resolver404, get_resolver
from django.utils.http import http_date

from .. import cache_tags, cache_writes, frontend_cache
from ..content_version import (
    Reading,
    changed_during_build,
    current_reading,
    current_versions,
    read_once,
    retired_since,
    tag_versions,
)

#: How long a client that missed waits for another one's build of the same
#: key before building it too; and how long a build may hold the key.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02
LOCK_SUFFIX = ":building"
#: How long a build lock lives if its holder never lets go of it.
LOCK_SECONDS = int(WAIT_SECONDS) + 1
#: A build that ended this long before its lock would expire lets go of it
#: without reading whose it is.
LOCK_MARGIN_SECONDS = 1.0
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
    may be newer than what the response shows.
    """
    versions = tag_versions(tags)
    response[cache_tags.HEADER] = cache_tags.header_value(versions)
    if changed_during_build():
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
#: the entry: a rebuild reads them before it renders (:func:`build_once`).
_seen_tags: OrderedDict[str, tuple[str, ...]] = OrderedDict()
SEEN_TAGS_KEYS = 4 * LOCAL_ENTRIES


def _keep_locally(key: str, entry: Entry) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
        _seen_tags[key] = entry.tags
        _seen_tags.move_to_end(key)
        while len(_seen_tags) > SEEN_TAGS_KEYS:
            _seen_tags.popitem(last=False)


def _tags_seen(key: str) -> tuple[str, ...]:
    with _local_lock:
        return _seen_tags.get(key, ())


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
    entry = _local_entry(key)
    if entry is not None:
        return _judged_local(key, entry)
    entry = cache.get(key)
    if not isinstance(entry, Entry):
        return None, None
    return _judged(key, entry)


def _judged_local(key: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """:func:`_judged` for ``entry``, this process's copy; if it is late,
    the shared entry instead where another process has rebuilt it since."""
    fresh, late = _judged(key, entry)
    if late is None:
        return fresh, late
    shared = cache.get(key)
    if (
        isinstance(shared, Entry)
        and shared.versions != late.versions
        and shared.expires >= time.time()
        and is_fresh(shared)
    ):
        _keep_locally(key, shared)
        return shared, None
    return None, late


@dataclass(frozen=True)
class Lock:
    """A build lock this client holds: its token, and when it was asked for."""

    token: str
    asked_at: float


def find_or_lock(key: str) -> tuple[Entry | None, Entry | None, Lock | None]:
    """:func:`find`, for a client that will build the response if it finds
    none: where the shared cache holds nothing under ``key``, the build lock
    is taken in the same round trip (reviews/cache_writes.py), and handed
    to :func:`build_once`, which always lets go of it."""
    local = _local_entry(key)
    if local is not None:
        return (*_judged_local(key, local), None)
    token = secrets.token_hex(8)
    asked_at = time.monotonic()
    value, taken = cache_writes.get_or_add(key, key + LOCK_SUFFIX, token, LOCK_SECONDS)
    lock = Lock(token, asked_at) if taken else None
    if not isinstance(value, Entry):
        return None, None, lock
    return (*_judged(key, value), None)


def _judged(key: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """``(entry, None)`` if it is fresh, ``(None, entry)`` if only late-ok
    changes have passed it by, else nothing (and forgotten here)."""
    state = STALE if entry.expires < time.time() else freshness(entry)
    if state == STALE:
        with _local_lock:
            _local.pop(key, None)
        return None, None
    _keep_locally(key, entry)
    if state == LATE:
        return None, entry
    return entry, None


def freeze(
    response: HttpResponse,
    tags: Iterable[str],
    reading: Reading,
    counted_view: int | None = None,
) -> Entry | None:
    """An entry for ``response``, built inside ``reading``, under the
    versions its tags had before the build: a change committed during the
    build then retires the entry. None if a read during the build saw a
    strict change commit (the response may hold what was there before); if
    it saw only late-ok ones, the entry is kept as already late
    (:data:`UNMATCHED`), so that the next client rebuilds it."""
    names = tuple(sorted(tags))
    current = tag_versions(names)
    if reading.strictly_changed:
        return None
    versions = tuple(current[name].version for name in names)
    if reading.changed:
        versions = (UNMATCHED,) * len(names)
    return Entry(
        content=response.content,
        headers=tuple(response.items()),
        tags=names,
        versions=versions,
        stricts=tuple(current[name].strict for name in names),
        counted_view=counted_view,
    )


def _kept_downstream_only_if_current(
    response: HttpResponseBase, reading: Reading, entry: Entry | None
) -> None:
    """A shared response built while a change retired one of its tags may
    show what was there before: where an edge is purged by URL only, it goes
    out ``no-store``. The entry kept here is already retired by that change,
    but such an edge got the purge before this response, and would keep it
    for ``max-age``. So too a ``304`` to an edge revalidating its copy: it
    would keep that copy as long. A 304 carries no tags (Django keeps only
    the validators and freshness): the entry's are the 200's; without an
    entry, only a change the build saw commit counts. One more query per
    build, so only there. Nor may its date answer a conditional request
    (:func:`dated_before_what_it_shows`)."""
    tags: Iterable[str] = ()
    if response.has_header(cache_tags.HEADER):
        tags = response[cache_tags.HEADER].split()
    elif entry is not None:
        tags = entry.tags
    if "public" not in response.get("Cache-Control", ""):
        return
    if not frontend_cache.purges_by_url_only():
        return
    if retired_since(reading, tags):
        response["Cache-Control"] = "no-store"
        del response["Last-Modified"]


def dated_before_what_it_shows(response: HttpResponseBase) -> bool:
    """May ``response``'s ``Last-Modified`` be older than a change it shows?
    Inside a build (:func:`read_once`), :func:`label` dates it by its tags'
    versions as read before the content: a change committed in between is
    shown but not dated, and a client's copy from before it would be
    answered ``304``. One query, so asked only where the date alone decides."""
    reading = current_reading()
    return (
        reading is not None
        and response.has_header(cache_tags.HEADER)
        and retired_since(reading, response[cache_tags.HEADER].split())
    )


def build_unshared(
    request: HttpRequest,
    build: Callable[[], HttpResponseBase],
    answer: Callable[[HttpResponseBase], HttpResponseBase],
) -> HttpResponseBase:
    """The response to ``request``, of which the server keeps no copy but
    which may still go out public (an API read while its shared copies are
    off): read as :func:`build_once` reads a build, its route's tags first,
    each once (the bodies it keeps, reviews/api/item_cache.py, and its
    labels read none again), and, where an edge is purged by URL only, sent
    ``no-store`` if a change retired one meanwhile. ``answer(response)``
    is what the client gets (a ``304`` to a conditional request), decided
    inside the reading, as a build's is (:func:`dated_before_what_it_shows`)."""
    with read_once() as reading:
        tag_versions({*route_tags(request), cache_tags.ALL})
        response = build()
        _kept_downstream_only_if_current(response, reading, None)
        return answer(response)


def build_once(
    key: str,
    build: Build,
    timeout: int,
    late: Entry | None = None,
    tags: Iterable[str] = (),
    lock: Lock | None = None,
) -> HttpResponseBase | Entry:
    """The response for ``key``, built by one client at a time.

    ``build(reading)`` renders the response and returns it with the entry
    to keep (None: not shareable); ``reading`` holds the versions of
    ``tags`` (what the response is expected to depend on) and of the tags
    the entry it replaces had, when this process saw it (a page declares
    its own as it renders: read up front, they need no read of their own
    later), read before rendering, and of any other tag the build reads,
    each read once. A client that finds another building the key gets
    ``late`` (an entry only late-ok changes have passed by) if there is
    one, else waits for that entry, up to :data:`WAIT_SECONDS`, and builds
    it itself only if none comes (the other one's response was not
    shareable, or it died). ``lock``: the build lock, already taken
    (:func:`find_or_lock`).
    """
    lock_key = key + LOCK_SUFFIX
    if lock is not None:
        token, asked_at, held = lock.token, lock.asked_at, True
    else:
        token = secrets.token_hex(8)
        asked_at = time.monotonic()
        held = cache.add(lock_key, token, timeout=LOCK_SECONDS)
    if not held and cache.get(lock_key) is None:
        # Not held, yet nobody holds it: its builder let go since the add,
        # or the cache cannot be reached (a backend that degrades says no
        # to every add). Take what a builder kept, or build: a late copy
        # goes out only while another client is building.
        entry = lookup(key)
        if entry is not None:
            return entry
    elif not held:
        if late is not None:
            return dataclasses.replace(late, late=True)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            entry = lookup(key)
            if entry is not None:
                return entry
            if cache.get(lock_key) is None:
                # The builder may have stored its entry and let go of the lock
                # while this client's lookup ran: look once more before
                # building again.
                entry = lookup(key)
                if entry is not None:
                    return entry
                break
    # The bodies the build keeps, its entry and the lock's release go to
    # the cache together when the build ends (reviews/cache_writes.py).
    with cache_writes.batched():
        try:
            with read_once() as reading:
                tag_versions({*tags, *_tags_seen(key), cache_tags.ALL})
                response, entry = build(reading)
            _kept_downstream_only_if_current(response, reading, entry)
            if entry is not None:
                entry = dataclasses.replace(entry, expires=time.time() + timeout)
                cache_writes.set(key, entry, timeout=timeout)
                _keep_locally(key, entry)
            elif late is not None:
                # No new copy to replace it: others would get the late one
                # until it expired.
                cache_writes.delete(key)
                with _local_lock:
                    _local.pop(key, None)
            return response
        finally:
            if held and (
                # Timed from before the add was sent: the lock cannot have
                # expired yet, so it is still this client's, with no read
                # to check.
                time.monotonic() - asked_at < LOCK_SECONDS - LOCK_MARGIN_SECONDS
                or cache.get(lock_key) == token
            ):
                cache_writes.delete(lock_key)
