"""One build per key of the store's entries (:mod:`.store`).

When many clients miss the same key at once, one builds it and the others
wait for its entry (:func:`build_once`); with a cache shared between
processes (Redis) that holds across processes too.

Serving the previous copy while one client rebuilds (stale while
revalidate) is allowed only where being late cannot matter. The promise is
that no response shows content older than a committed change, and most
changes decide what a reader may see (the store's docstring lists them).
For those the other clients wait for the new copy. An entry that only
late-ok changes have passed by (:data:`.store.LATE`: a new comment, a vote,
an RSVP) is served as it is while another client holds its build lock,
marked ``Cache-Control: no-cache`` so that no edge cache or browser keeps
it beyond that rebuild. The client that takes the lock builds, and a
sequence of requests therefore always sees the change at once: only
requests that arrive during someone else's rebuild get the previous copy,
for that rebuild's length.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from .. import cache_tags, cache_writes, frontend_cache
from ..content_version import (
    Reading,
    current_reading,
    read_once,
    retired_since,
    tag_versions,
)
from .store import (
    UNMATCHED,
    Build,
    Entry,
    drop_local,
    judged_local,
    judged_shared,
    keep_locally,
    local_entry,
    lookup,
    route_tags,
    tags_seen,
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
    local = local_entry(key)
    if local is not None:
        fresh, late = judged_local(key, local)
        if fresh is not None or late is not None:
            return fresh, late, None
        # Retired here: another process may have shared its rebuild since.
    token = secrets.token_hex(8)
    asked_at = time.monotonic()
    value, taken = cache_writes.get_or_add(key, key + LOCK_SUFFIX, token, LOCK_SECONDS)
    lock = Lock(token, asked_at) if taken else None
    if not isinstance(value, Entry):
        return None, None, lock
    return (*judged_shared(key, value, local), None)


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
                tag_versions({*tags, *tags_seen(key), cache_tags.ALL})
                response, entry = build(reading)
            _kept_downstream_only_if_current(response, reading, entry)
            if entry is not None:
                entry = dataclasses.replace(entry, expires=time.time() + timeout)
                cache_writes.set(key, entry, timeout=timeout)
                keep_locally(key, entry)
            elif late is not None:
                # No new copy to replace it: others would get the late one
                # until it expired.
                cache_writes.delete(key)
                drop_local(key)
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
