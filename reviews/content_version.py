"""What the club's caches key on: the version of the content the site shows.

Signals (reviews/signal_handlers.py) call :func:`mark_content_changed` on
every publish, unpublish, move or delete of a page and on every edit of a
book, series entry, comment, round, vote, RSVP, view restriction, image or
site. The API's response cache (reviews/caching.py) and the HTML page cache
(reviews/page_cache.py) both put :func:`content_version` in their keys, so
one change retires every cached response at once.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from asgiref.local import Local
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

T = TypeVar("T")
#: How long a value derived from the content is kept under one version; a
#: cache that is not shared between processes learns of a change this late.
DERIVED_TIMEOUT = 60
_MISSING = object()

#: The version while the cache cannot keep one (Redis down): nothing is kept
#: in a process under it, since no change would move it on.
LOST_VERSION = "lost"
CHANGED_AT_KEY = "reviews:api:changed-at"
VERSION_KEY = "reviews:api:version"


def content_changed_at() -> datetime:
    """When the content the site shows last changed (to the second).

    If the cache lost the time, "now" is the safe answer: clients fetch once
    more and keep their ETag.
    """
    changed_at = cache.get(CHANGED_AT_KEY)
    if changed_at is None:
        changed_at = timezone.now().replace(microsecond=0)
        cache.add(CHANGED_AT_KEY, changed_at, timeout=None)
        changed_at = cache.get(CHANGED_AT_KEY, changed_at)
    return changed_at


def mark_content_changed() -> None:
    """Retire everything cached for the current version, now and again when
    the transaction commits: a request that read the database between the
    signal and the commit may have cached what was there before."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(CHANGED_AT_KEY, timezone.now().replace(microsecond=0), timeout=None)
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, timeout=None)
    if getattr(_this_request, "active", False):
        _this_request.version = version


#: The version a request has seen, so that it reads it from the cache once,
#: not once for every derived value it uses. Set only between Django's
#: ``request_started`` and ``request_finished``: a worker or a command
#: outside a request always asks the cache.
_this_request = Local()


def request_started(**kwargs) -> None:
    _this_request.active = True
    _this_request.version = None


def request_finished(**kwargs) -> None:
    _this_request.active = False
    _this_request.version = None


def content_version() -> str:
    """An opaque token that changes with every content change (finer than
    ``Last-Modified``'s whole seconds); read once per request."""
    version = getattr(_this_request, "version", None)
    if version is not None:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY, LOST_VERSION)
    if getattr(_this_request, "active", False):
        _this_request.version = version
    return version


def for_this_version(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, remembered until the content changes (or for
    :data:`DERIVED_TIMEOUT` seconds)."""
    key = f"reviews:derived:{content_version()}:{name}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=DERIVED_TIMEOUT)
    return value


#: Values kept in this process's memory: the version each belongs to, when
#: it expires, the value.
_in_process: dict[str, tuple[str, float, object]] = {}
IN_PROCESS_MAX_VALUES = 1000


def for_this_version_in_process(name: str, compute: Callable[[], T]) -> T:
    """:func:`for_this_version`, also kept in this process's memory.

    For small values read many times per request (a listing of 20 books
    asks for the series map 20 times): no cache round trip and no
    unpickling after the first use under a version. Kept no longer than
    :data:`DERIVED_TIMEOUT`, like the shared copy, and not at all while the
    cache is down.
    """
    version = content_version()
    now = time.monotonic()
    kept = _in_process.get(name)
    if kept is not None and kept[0] == version and kept[1] > now:
        return kept[2]  # type: ignore[return-value]
    value = for_this_version(name, compute)
    if version != LOST_VERSION:
        if len(_in_process) >= IN_PROCESS_MAX_VALUES:
            _in_process.clear()  # names made from requests (a Host header)
        _in_process[name] = (version, now + DERIVED_TIMEOUT, value)
    return value


def strong_etag(content: bytes) -> str:
    """A strong validator: a hash of the exact bytes sent."""
    return f'"{hashlib.sha256(content).hexdigest()[:40]}"'
